package handlers

import (
	"fmt"

	"github.com/yueyuetan/yueyuetan/media"
)

// Messages about what people send: text that cannot be stored as typed, and photos beyond what
// the server can open. The photo limits are written from media's constants, so the words always
// say the limit in force.
func init() { addMessages("input", inputCatalog) }

var inputCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.text_bidi": "{field}里有控制文字方向的隐藏字符（会让显示的内容和实际内容不一样），请删掉后重新输入",

		"photo_too_large":            fmt.Sprintf("照片太大了，不能超过%dMB。", media.MaxBytes>>20),
		"photo_busy":                 "现在正在处理的照片比较多，请等几秒钟再上传一次。",
		"rule.photo_busy":            "现在正在处理的照片比较多，请等几秒钟再上传一次",
		"rule.photo_too_many_pixels": fmt.Sprintf("这张照片的像素太多（超过%d万像素），请缩小后再上传", int(media.MaxPixels/1e4)),
		"rule.photo_too_big_to_open": fmt.Sprintf("这张图片太大，打开它需要超过%d MB内存（常见于16位色的大PNG图）。请缩小图片或另存为JPG后再上传", media.MaxDecodeBytes>>20),
	},
	LocaleEN: {
		"rule.text_bidi": "{field} holds hidden characters that change the direction of text (what is shown would differ from what it says); please remove them and type it again",

		"photo_too_large":            fmt.Sprintf("The photo is too large: at most %d MB.", media.MaxBytes>>20),
		"photo_busy":                 "Many photos are being processed right now; please upload it again in a few seconds.",
		"rule.photo_busy":            "Many photos are being processed right now; please upload it again in a few seconds",
		"rule.photo_too_many_pixels": fmt.Sprintf("This photo has too many pixels (over %d megapixels); please make it smaller and upload it again", int(media.MaxPixels/1e6)),
		"rule.photo_too_big_to_open": fmt.Sprintf("This picture is too big to open: it would take over %d MB of memory (usual for large 16-bit PNG images). Please make it smaller or save it as a JPEG, then upload it again", media.MaxDecodeBytes>>20),
	},
}
