package models_test

import (
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
)

// TestEventTypes_OneRegistry: every event type constant of package models, wherever it is
// declared, is in AllEventTypes and declared in event_types.go (the stream-only
// attendance.changed is declared there but never in the log), and the list has no duplicates.
// Every test that opens a store (testenv.Open) also fails if it writes an event whose type no
// constant declares, so a misspelt or ad hoc type is caught by the tests that run its writer.
func TestEventTypes_OneRegistry(t *testing.T) {
	consts, err := testenv.EventConstants()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[models.EventType]bool{}
	for _, typ := range models.AllEventTypes() {
		if seen[typ] {
			t.Errorf("%s is listed twice in AllEventTypes", typ)
		}
		seen[typ] = true
		if !typ.Declared() {
			t.Errorf("%s: Declared() is false", typ)
		}
		if where, ok := consts[typ]; !ok || !strings.HasPrefix(where, "event_types.go: ") {
			t.Errorf("%s is not a constant of models/event_types.go (%q)", typ, where)
		}
	}
	for typ, where := range consts {
		if typ == models.EvAttendanceChanged {
			if seen[typ] {
				t.Errorf("%s is the wall stream's, not the log's", typ)
			}
			continue
		}
		if !seen[typ] {
			t.Errorf("%s (%s) is not in AllEventTypes: declare it in models/event_types.go and list it there", typ, where)
		} else if !strings.HasPrefix(where, "event_types.go: ") {
			t.Errorf("%s is declared in %s: event types are declared in models/event_types.go", typ, where)
		}
	}
	if len(consts) < 70 {
		t.Fatalf("found %d event type constants in the source, want them all", len(consts))
	}
}
