package models

import "testing"

// TestMaskName pins how the wall names a speaker: the first character, then one star for each
// further character up to three, so the name never shows whole and a long one does not give its
// length away.
func TestMaskName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"王秀英", "王**"},
		{"张三", "张*"},
		{"王", "王*"},
		{"欧阳娜娜", "欧***"},
		{"爱新觉罗·溥仪", "爱***"},
		{" Alice Wang ", "A***"},
		{"", ""},
		{"   ", ""},
	} {
		if got := maskName(c.in); got != c.want {
			t.Errorf("maskName(%q)=%q, want %q", c.in, got, c.want)
		}
	}
}
