package handlers

// The messages of the public meeting notice's link preview (docs/paper.md "The public notice"):
// the title, description and time the server writes into the notice page's Open Graph tags for
// crawlers that run no JavaScript. Merged into the catalog by addMessages.
func init() {
	addMessages("notice", noticeCatalog)
}

var noticeCatalog = map[string]map[string]string{
	LocaleZH: {
		"notice.og_title":        "{compound} · {title}",
		"notice.og_description":  "时间：{time}（北京时间）；地点：{place}。",
		"notice.og_topic":        "议题：{topic}。",
		"notice.og_invite":       "欢迎到场参加，也可以在手机上写建议。",
		"notice.og_invite_plain": "欢迎到场参加。",
		"notice.time_format":     "{year}年{month}月{day}日 {weekday} {clock}",
		"notice.weekday.0":       "周日",
		"notice.weekday.1":       "周一",
		"notice.weekday.2":       "周二",
		"notice.weekday.3":       "周三",
		"notice.weekday.4":       "周四",
		"notice.weekday.5":       "周五",
		"notice.weekday.6":       "周六",
	},
	LocaleEN: {
		"notice.og_title":        "{compound} · {title}",
		"notice.og_description":  "When: {time} (Beijing time). Where: {place}.",
		"notice.og_topic":        " Topic: {topic}.",
		"notice.og_invite":       " Come and take part, or write a suggestion on your phone.",
		"notice.og_invite_plain": " Come and take part.",
		"notice.time_format":     "{weekday} {day} {month} {year}, {clock}",
		"notice.weekday.0":       "Sun",
		"notice.weekday.1":       "Mon",
		"notice.weekday.2":       "Tue",
		"notice.weekday.3":       "Wed",
		"notice.weekday.4":       "Thu",
		"notice.weekday.5":       "Fri",
		"notice.weekday.6":       "Sat",
	},
}
