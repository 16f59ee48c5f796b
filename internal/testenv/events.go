package testenv

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// eventTypeValue is what an event type looks like: subject.what_happened.
var eventTypeValue = regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`)

// EventConstants finds the event type constants of package models in its source: every
// constant named Ev… whose value looks like an event type, by value, with where it is declared
// ("file.go: EvName"). It reads the source once per test binary.
var EventConstants = sync.OnceValues(func() (map[models.EventType]string, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return nil, fmt.Errorf("no source path")
	}
	dir := filepath.Join(filepath.Dir(self), "..", "..", "models")
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[models.EventType]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Ev") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil || !eventTypeValue.MatchString(v) {
						continue
					}
					out[models.EventType(v)] = filepath.Base(name) + ": " + id.Name
				}
			}
		}
	}
	return out, nil
})

// checkEventTypes fails the test if it commits an event whose type is not a declared constant
// (a misspelt or ad hoc type), so that every test that writes checks the writers it runs. Types
// beginning "test." are the models tests' own.
func checkEventTypes(tb testing.TB, s *models.Store) {
	known, err := EventConstants()
	if err != nil {
		tb.Fatalf("read the event type constants: %v", err)
	}
	var mu sync.Mutex
	unknown := map[models.EventType]bool{}
	s.AfterCommit = func(evs []models.Event) {
		for _, e := range evs {
			if _, ok := known[e.Type]; !ok && !strings.HasPrefix(string(e.Type), "test.") {
				mu.Lock()
				unknown[e.Type] = true
				mu.Unlock()
			}
		}
	}
	tb.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for t := range unknown {
			tb.Errorf("an event of type %q was written, which no constant declares (models/event_types.go)", t)
		}
	})
}
