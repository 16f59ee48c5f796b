package handlers

// The messages of making a group with its cards in one request, merged into the catalog of
// i18n.go when the package starts by addMessages; a key given twice is a bug that
// TestI18n_Catalog reports.
func init() { addMessages("cluster cards", clusterCardsCatalog) }

var clusterCardsCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.duplicate_card": "同一张卡片列了两次",
	},
	LocaleEN: {
		"rule.duplicate_card": "The same card is listed twice",
	},
}
