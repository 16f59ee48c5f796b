package textnorm

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		kind     Kind
		want     string
		bidi     bool
	}{
		{name: "plain", in: "加装电梯", want: "加装电梯"},
		{name: "trimmed", in: "  \u3000加装电梯\u00a0 ", want: "加装电梯"},
		{name: "zero-width only", in: "\u200b\u200b", want: ""},
		{name: "NUL", in: "\u0000", want: ""},
		{name: "controls only", in: "\u0001\u001f\u007f\u0080\u009f", want: ""},
		{name: "joiners only", in: "\u200d\u200c\u2060\ufeff", want: ""},
		{name: "Hangul fillers", in: "\u3164\u115f\u1160\uffa0", want: ""},
		{name: "Braille blank and variation selector", in: "\u2800\ufe0f", want: ""},
		{name: "soft hyphen and LRM", in: "\u00ad\u200e\u200f", want: ""},
		{name: "blank lines", in: "\n\r\n \t\n", kind: Multiline, want: ""},
		{name: "NUL inside", in: "管\u0000理员", want: "管理员"},
		{name: "zero-width inside", in: "张\u200b三", want: "张三"},
		{name: "override refused", in: "\u202e管理员", bidi: true},
		{name: "override with others", in: "\u202e\u200b管理员\u0000", bidi: true},
		{name: "embedding refused", in: "a\u202ab", bidi: true},
		{name: "isolate refused", in: "a\u2066b\u2069", bidi: true},
		{name: "override in long text refused", in: "第一行\n\u202d第二行", kind: Multiline, bidi: true},
		{name: "line: newline to space", in: "一号楼\n二单元", want: "一号楼 二单元"},
		{name: "line: CRLF to one space", in: "一号楼\r\n二单元", want: "一号楼 二单元"},
		{name: "line: tab to space", in: "一号楼\t二单元", want: "一号楼 二单元"},
		{name: "multiline keeps LF", in: "第一行\n第二行", kind: Multiline, want: "第一行\n第二行"},
		{name: "multiline CRLF and CR", in: "一\r\n二\r三\u2028四\u0085五", kind: Multiline, want: "一\n二\n三\n四\n五"},
		{name: "multiline tab to space", in: "一\t二", kind: Multiline, want: "一 二"},
		{name: "multiline trims around", in: "\n\n  正文 \n\n", kind: Multiline, want: "正文"},
		{name: "NFC", in: "Cafe\u0301", want: "Café"},
		{name: "NFC across a removed character", in: "e\u200b\u0301", want: "é"},
		{name: "emoji ZWJ sequence kept", in: "👨\u200d👩\u200d👧", want: "👨\u200d👩\u200d👧"},
		{name: "emoji presentation kept", in: "❤\ufe0f", want: "❤\ufe0f"},
		{name: "invalid UTF-8", in: "a\xffb", want: "a\ufffdb"},
		{name: "subdivision flag kept", in: "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", want: "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
		{name: "hidden tag text dropped", in: "张三\U000E0069\U000E0067\U000E006E", want: "张三"},
		{name: "tags only", in: "\U000E0041\U000E0042", want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Clean(tc.in, tc.kind)
			if tc.bidi {
				if !errors.Is(err, ErrBidi) {
					t.Fatalf("Clean(%q)=%q, %v; want ErrBidi", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Clean(%q)=%q, %v; want %q", tc.in, got, err, tc.want)
			}
			if again, _ := Clean(got, tc.kind); again != got {
				t.Fatalf("not idempotent: %q → %q", got, again)
			}
		})
	}
}

func TestClean_ChineseWithEmojiUnchanged(t *testing.T) {
	in := "建议在3号楼门口加装无障碍坡道♿，方便轮椅🙂\n晚上再加一盏路灯💡"
	if !norm.NFC.IsNormalString(in) {
		t.Fatal("the sample is not NFC")
	}
	got, err := Clean(in, Multiline)
	if err != nil || got != in {
		t.Fatalf("Clean=%q, %v; want it unchanged", got, err)
	}
}

func TestIsBlank(t *testing.T) {
	for in, want := range map[string]bool{"": true, "\u200b": true, " \u3000\u0000": true, "\u202e": false, "好": false} {
		if got := IsBlank(in); got != want {
			t.Errorf("IsBlank(%q)=%v, want %v", in, got, want)
		}
	}
}

type inner struct {
	Name string `json:"name"`
}

type request struct {
	Title    string            `json:"title"`
	Body     string            `json:"body" text:"multiline"`
	Password string            `json:"password" text:"raw"`
	Current  string            `json:"current_password"`
	Opt      *string           `json:"opt"`
	Tags     []string          `json:"tags"`
	Skills   *[]string         `json:"skills"`
	Items    []inner           `json:"items"`
	Invitee  *inner            `json:"invitee"`
	Labels   map[string]string `json:"labels"`
	Count    int               `json:"count"`
	Raw      []byte            `json:"raw"`
	Hidden   string            `json:"-"`
	NoTag    string
	inner    string
}

func TestStruct(t *testing.T) {
	opt, skills := " 可选\u200b ", []string{"\u0000电工", "\u202e水工"}
	r := request{Title: "标题\n二行", Body: "正文\n二行\u0000", Password: " \u0000pass ", Current: "\u200bold ", Opt: &opt,
		Tags: []string{"\u200b", "标签"}, Skills: &skills, Items: []inner{{Name: "甲"}, {Name: "乙\u202e"}},
		Invitee: &inner{Name: "\u3164"}, Labels: map[string]string{"k": "\u00ad值", "x": "\u2066"}, Raw: []byte{0},
		Hidden: "\u0000", NoTag: "\u200b无标签", inner: "\u0000"}
	bad := Struct(&r)
	slices.Sort(bad)
	if want := []string{"items[1].name", "labels[x]", "skills[1]"}; !reflect.DeepEqual(bad, want) {
		t.Fatalf("bad=%q, want %q", bad, want)
	}
	for _, c := range []struct{ got, want string }{
		{r.Title, "标题 二行"}, {r.Body, "正文\n二行"}, {r.Password, " \u0000pass "}, {r.Current, "\u200bold "}, {*r.Opt, "可选"},
		{r.Tags[0], ""}, {r.Tags[1], "标签"}, {(*r.Skills)[0], "电工"}, {(*r.Skills)[1], "\u202e水工"},
		{r.Items[0].Name, "甲"}, {r.Items[1].Name, "乙\u202e"}, {r.Invitee.Name, ""}, {r.Labels["k"], "值"},
		{r.Hidden, "\u0000"}, {r.NoTag, "无标签"}, {r.inner, "\u0000"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if Struct(r) != nil || Struct((*request)(nil)) != nil {
		t.Fatal("a value or a nil pointer cannot be cleaned in place")
	}
}
