package handlers

// The messages of the phone's quicker start (docs/phone.md): the refresh that also answers the
// caller's memberships. Merged into the catalog by addMessages.
func init() {
	addMessages("phone", phoneCatalog)
}

var phoneCatalog = map[string]map[string]string{
	LocaleZH: {
		"field.include":        "附带内容",
		"rule.include_unknown": "只能是 memberships（附带我所在的社区）",
	},
	LocaleEN: {
		"field.include":        "Include",
		"rule.include_unknown": "Can only be memberships (add the communities I belong to)",
	},
}
