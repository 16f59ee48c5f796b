package models

import (
	"encoding/json"
	"testing"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// TestResultOption_JSON: an option of the results API and of the wall is written as it was when
// each had a struct of its own (handlers/openapi.yaml ResultOption and WallPollOption): the key
// always, counts or nulls, supporters and areas only in the results, areas only when set and
// shown; and it reads back the same.
func TestResultOption_JSON(t *testing.T) {
	area := func(v float64) *float64 { return &v }
	o := tally.OptionResult{ID: 1, Key: "yes", Label: "同意", Online: 2, Offline: 1, Total: 3, Share: 0.75, Supporters: 3,
		Rank: 1, OnlineArea: area(338.5), OfflineArea: area(130), TotalArea: area(468.5)}
	plain := tally.OptionResult{ID: 2, Label: "方案二", Online: 4, Total: 4, Share: 0.25, Supporters: 4, Rank: 2}
	cases := []struct {
		what string
		in   ResultOption
		want string
	}{
		{"shown", ResultOption{OptionResult: o},
			`{"id":1,"key":"yes","label":"同意","online":2,"offline":1,"total":3,"share":0.75,"supporters":3,"rank":1,"online_area":338.5,"offline_area":130,"total_area":468.5}`},
		{"shown, no key or areas", ResultOption{OptionResult: plain},
			`{"id":2,"key":"","label":"方案二","online":4,"offline":0,"total":4,"share":0.25,"supporters":4,"rank":2}`},
		{"hidden", ResultOption{OptionResult: tally.OptionResult{ID: 1, Key: "yes", Label: "同意"}, Hidden: true},
			`{"id":1,"key":"yes","label":"同意","online":null,"offline":null,"total":null,"share":null,"supporters":null,"rank":null}`},
		{"hidden, areas set", ResultOption{OptionResult: o, Hidden: true},
			`{"id":1,"key":"yes","label":"同意","online":null,"offline":null,"total":null,"share":null,"supporters":null,"rank":null}`},
		{"wall", ResultOption{OptionResult: o, wall: true},
			`{"id":1,"key":"yes","label":"同意","online":2,"offline":1,"total":3,"share":0.75,"rank":1}`},
		{"wall, hidden", ResultOption{OptionResult: tally.OptionResult{ID: 1, Key: "yes", Label: "同意"}, Hidden: true, wall: true},
			`{"id":1,"key":"yes","label":"同意","online":null,"offline":null,"total":null,"share":null,"rank":null}`},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.in)
		if err != nil || string(b) != c.want {
			t.Fatalf("%s: %s (%v), want %s", c.what, b, err, c.want)
		}
		var back ResultOption
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: read back: %v", c.what, err)
		}
		want := c.in.OptionResult
		if c.in.Hidden {
			want = tally.OptionResult{ID: want.ID, Key: want.Key, Label: want.Label}
		} else if c.in.wall {
			want.Supporters, want.OnlineArea, want.OfflineArea, want.TotalArea = 0, nil, nil, nil
		}
		wb, _ := json.Marshal(want)
		gb, _ := json.Marshal(back.OptionResult)
		if back.Hidden != c.in.Hidden || string(gb) != string(wb) {
			t.Fatalf("%s: read back %+v hidden=%v, want %s", c.what, back.OptionResult, back.Hidden, wb)
		}
	}
	for _, bad := range []string{
		`{"id":1,"key":"","label":"x","online":null,"offline":1,"total":null,"share":null,"rank":null}`,
		`{"id":1,"key":"","label":"x","online":null,"offline":null,"total":null,"share":null,"supporters":2,"rank":null}`,
	} {
		var o ResultOption
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Fatalf("%s: read as %+v, want an error for counts partly hidden", bad, o)
		}
	}
}
