package handlers

// Messages of concurrent writes: a change that lost its lock race on every attempt is answered
// 503 with Retry-After and this message, merged into the catalog by addMessages.
func init() { addMessages("writes", writesCatalog) }

var writesCatalog = map[string]map[string]string{
	LocaleZH: {
		"busy_try_again": "现在操作的人比较多，您这次的操作没有保存。请稍等一两秒再试一次。",
	},
	LocaleEN: {
		"busy_try_again": "Many people are doing this right now and your change was not saved. Please wait a second or two and try again.",
	},
}
