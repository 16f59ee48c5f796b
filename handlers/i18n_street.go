package handlers

// The messages of the superadmin's street screen: observers by phone, communities put in a
// street (docs/desk.md "The street observer"). Merged into the catalog by addMessages.
func init() {
	addMessages("street", streetCatalog)
	labelScopes[API+"/streets/:sid/observers/:uid"] = "street_observer"
	labelScopes[API+"/streets/:sid/communities/:cid"] = "street_community"
}

var streetCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.phone_without_account":      "这个手机号还没有账号，请先让本人注册或由社区添加",
		"field.street_observer.phone":     "观察员手机号",
		"field.street_community.name":     "社区名称",
		"field.street_community.street":   "街道",
		"field.street_community.district": "区",
		"field.street_community.city":     "城市",
	},
	LocaleEN: {
		"rule.phone_without_account":      "No account has this phone number yet: the person must register or be added by a community first",
		"field.street_observer.phone":     "Observer's phone",
		"field.street_community.name":     "Community name",
		"field.street_community.street":   "Street",
		"field.street_community.district": "District",
		"field.street_community.city":     "City",
	},
}
