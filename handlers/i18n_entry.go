package handlers

// Messages of the card entry desk: correcting a card typed in from paper or at the table.
func init() { addMessages("entry", entryCatalog) }

var entryCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.card_status_or_correction": "改正卡片内容和更改卡片状态请分两次操作",
		"card_not_correctable":           "这张卡片已被隐藏或撤回，不能再改。",
	},
	LocaleEN: {
		"rule.card_status_or_correction": "Correct the card and change its status in two separate steps",
		"card_not_correctable":           "This card is hidden or withdrawn and can no longer be corrected.",
	},
}
