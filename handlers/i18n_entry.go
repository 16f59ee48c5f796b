package handlers

// Messages of the card entry desk (correcting a card typed in from paper or at the table) and of
// the meeting room's wall link.
func init() { addMessages("entry", entryCatalog) }

var entryCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.card_status_or_correction": "改正卡片内容和更改卡片状态请分两次操作",
		"card_not_correctable":           "这张卡片已被隐藏或撤回，不能再改。",
		"wall_link_unknown":              "这场会议的大屏地址是旧版本生成的，查不到了。请点「换一个地址」生成新的（正在用的大屏需要重新打开）。",
	},
	LocaleEN: {
		"rule.card_status_or_correction": "Correct the card and change its status in two separate steps",
		"card_not_correctable":           "This card is hidden or withdrawn and can no longer be corrected.",
		"wall_link_unknown":              "This meeting's wall address was made by an older version and cannot be shown. Renew it (a wall already open will need the new address).",
	},
}
