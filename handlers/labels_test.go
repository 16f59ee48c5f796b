package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A blank name is named for what it names: a compound's, a building's, an organization's or a
// community's, not a person's (姓名), which stays the label where a person is meant.
func TestFieldLabels_ByRoute(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	blank := map[string]any{"name": " "}
	for _, c := range []struct {
		path   string
		body   map[string]any
		zh, en string
	}{
		{"/api/v1/communities", map[string]any{"name": " ", "street": "唐家墩街道", "district": "江汉区", "city": "武汉市"}, "社区名称", "Community name"},
		{fmt.Sprintf("/api/v1/communities/%d/compounds", f.A.ID), blank, "小区名称", "Compound name"},
		{fmt.Sprintf("/api/v1/compounds/%d/buildings", f.CompoundA.ID), blank, "楼栋名称", "Building name"},
		{fmt.Sprintf("/api/v1/communities/%d/organizations", f.A.ID), map[string]any{"name": " ", "kind": "property"}, "组织名称", "Organization name"},
	} {
		t.Run(c.en, func(t *testing.T) {
			before := len(ta.events(f.A.ID))
			p := wantProblem(t, ta.do(req{method: "POST", path: c.path, as: f.Super, body: c.body}), http.StatusUnprocessableEntity, "invalid_input")
			if got := p.Errors["name"]; !strings.Contains(got, c.zh) || strings.Contains(got, "姓名") {
				t.Fatalf("zh: %q", got)
			}
			p = wantProblem(t, ta.do(req{method: "POST", path: c.path, as: f.Super, body: c.body, header: map[string]string{"Accept-Language": "en"}}),
				http.StatusUnprocessableEntity, "invalid_input")
			if got := p.Errors["name"]; !strings.Contains(got, c.en) {
				t.Fatalf("en: %q", got)
			}
			if n := len(ta.events(f.A.ID)); n != before {
				t.Fatalf("events %d → %d", before, n)
			}
		})
	}
	// A person's name keeps its label.
	p := wantProblem(t, ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]any{"name": " "}}),
		http.StatusUnprocessableEntity, "invalid_input")
	if got := p.Errors["name"]; !strings.Contains(got, "姓名") {
		t.Fatalf("me: %q", got)
	}
}
