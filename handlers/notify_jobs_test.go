package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/notify"
)

// jobsFixture is an adopted resolution with one open item due on dueDate, assigned to the party
// member, and a second store on the same database: a second server instance.
type jobsFixture struct {
	evalFixture
	item    *models.ActionItem
	other   *models.Store
	clock   *atomic.Int64 // unix nanoseconds, shared by both stores
	dueDate string
}

func (ta *testApp) buildJobsFixture(t *testing.T, month string) jobsFixture {
	t.Helper()
	jf := jobsFixture{evalFixture: ta.buildEvalFixture(t, month), clock: &atomic.Int64{}}
	// 10:00 in Wuhan on 2027-08-10; the item is due on the 13th.
	jf.clock.Store(time.Date(2027, 8, 10, 2, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, jf.clock.Load()).UTC() }
	ta.store.Now = now
	jf.other = testenv.Another(t, ta.store)
	jf.other.Now = now
	ta.setResolutionStatus(t, jf.res.ID, models.ResolutionImplementing)
	jf.dueDate = "2027-08-13"
	jf.item = &models.ActionItem{CommunityID: ta.fx.A.ID, ResolutionID: jf.res.ID, Title: "电梯井道施工", Weight: 1,
		DueDate: jf.dueDate, AssigneeUserID: &ta.fx.Party.ID, Status: models.ItemInProgress, CreatedBy: ta.fx.Facilitator.ID,
		CreatedAt: now(), UpdatedAt: now()}
	if err := ta.store.Gorm().Create(jf.item).Error; err != nil {
		t.Fatal(err)
	}
	return jf
}

func (jf *jobsFixture) at(day string, hourUTC int) {
	d, _ := time.Parse(time.DateOnly, day)
	jf.clock.Store(d.Add(time.Duration(hourUTC) * time.Hour).UnixNano())
}

func countNotes(t *testing.T, s *models.Store, user uint64, kind string) int64 {
	t.Helper()
	var n int64
	if err := s.Gorm().Model(&models.Notification{}).Where("user_id = ? AND type = ?", user, kind).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReminders_TwoInstances: two instances run the reminder job at once, many times, from three
// days before the due date to after it: the assignee and the facilitator each get the reminder
// three days before, on the day and once overdue — once each. The lease lets one instance run at
// a time; the unique key keeps each reminder single even without it.
func TestReminders_TwoInstances(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	jf := ta.buildJobsFixture(t, "2027-08")
	ctx := context.Background()
	a := &notify.Reminders{Store: ta.store, Holder: "instance-a"}
	b := &notify.Reminders{Store: jf.other, Holder: "instance-b"}
	runBoth := func(rounds int) (ranA, ranB int) {
		var wg sync.WaitGroup
		var na, nb atomic.Int64
		for range rounds {
			for _, r := range []*notify.Reminders{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, ran, err := r.RunOnce(ctx)
					if err != nil {
						t.Error(err)
					}
					if ran && r == a {
						na.Add(1)
					} else if ran {
						nb.Add(1)
					}
				}()
			}
		}
		wg.Wait()
		return int(na.Load()), int(nb.Load())
	}
	// Four days before: nothing is due.
	jf.at("2027-08-09", 2)
	runBoth(2)
	if n := countNotes(t, ta.store, f.Party.ID, models.NoteItemDueSoon); n != 0 {
		t.Fatalf("reminded 4 days before: %d", n)
	}
	jf.at("2027-08-10", 2)
	ranA, ranB := runBoth(4)
	if ranA+ranB == 0 || (ranA > 0 && ranB > 0) {
		t.Fatalf("the lease let both instances (or none) run within its term: a=%d b=%d", ranA, ranB)
	}
	jf.at("2027-08-13", 1) // 09:00 on the due day in Wuhan
	runBoth(4)
	jf.at("2027-08-15", 1)
	// Past the lease's term the other instance may take over; the reminders stay single.
	jf.clock.Add(int64(3 * time.Minute))
	runBoth(4)
	for _, kind := range []string{models.NoteItemDueSoon, models.NoteItemDueToday, models.NoteItemOverdue} {
		for _, u := range []*models.User{f.Party, f.Facilitator} {
			if n := countNotes(t, ta.store, u.ID, kind); n != 1 {
				t.Errorf("%s to %s: %d, want 1", kind, u.Name, n)
			}
		}
	}
	// Without the lease, both instances at once: still once each (the unique key on item, kind
	// and day).
	jf.item.DueDate = "2027-08-20"
	if err := ta.store.Gorm().Model(jf.item).Update("due_date", jf.item.DueDate).Error; err != nil {
		t.Fatal(err)
	}
	jf.at("2027-08-18", 2)
	var wg sync.WaitGroup
	for _, s := range []*models.Store{ta.store, jf.other, ta.store, jf.other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RunReminders(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := countNotes(t, ta.store, f.Party.ID, models.NoteItemDueSoon); n != 2 {
		t.Fatalf("due-soon reminders after the new due date: %d, want 2", n)
	}
	in := ta.inbox(t, f.Party, "")
	if n := find(in, models.NoteItemOverdue); n == nil || n.Body != "事项「电梯井道施工」（决议「加装电梯决议」）在2027-08-13到期，还没有完成。" {
		t.Fatalf("overdue notice: %+v", n)
	}
	// A done item is not reminded.
	if err := ta.store.Gorm().Model(jf.item).Update("status", models.ItemDone).Error; err != nil {
		t.Fatal(err)
	}
	jf.at("2027-08-20", 2)
	if n, err := ta.store.RunReminders(ctx); err != nil || n != 0 {
		t.Fatalf("a done item reminded: %d %v", n, err)
	}
}

// failingChannel fails its first failures sends.
type failingChannel struct {
	failures atomic.Int64
	sent     atomic.Int64
}

func (c *failingChannel) Name() string { return "sms" }
func (c *failingChannel) Send(_ context.Context, m notify.Message) error {
	if c.failures.Add(-1) >= 0 {
		return errors.New("provider said: isv.BUSINESS_LIMIT_CONTROL")
	}
	c.sent.Add(1)
	return nil
}

// TestOutbound_Deliveries: an outbound kind is queued for each configured channel in the writer's
// transaction; workers on two instances send each once after the commit, rendered in the
// recipient's language; failures are recorded and retried later, and give up after five.
func TestOutbound_Deliveries(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	jf := ta.buildJobsFixture(t, "2027-09")
	ctx := context.Background()
	for _, s := range []*models.Store{ta.store, jf.other} {
		s.OutboundChannels = []string{"log", "sms"}
	}
	jf.at("2027-08-13", 1)
	if n, err := ta.store.RunReminders(ctx); err != nil || n != 1 {
		t.Fatalf("reminders: %d %v", n, err)
	}
	// The assignee and the facilitators (the community's and the cycle's), two channels each.
	var recipients int64
	ta.store.Gorm().Model(&models.Notification{}).Where("type = ?", models.NoteItemDueToday).Count(&recipients)
	if recipients < 2 || countNotes(t, ta.store, f.Party.ID, models.NoteItemDueToday) != 1 {
		t.Fatalf("recipients: %d", recipients)
	}
	var ds []models.Delivery
	ta.store.Gorm().Order("id").Find(&ds)
	if len(ds) != int(2*recipients) {
		t.Fatalf("deliveries queued: %d, want %d", len(ds), 2*recipients)
	}
	for _, d := range ds {
		if d.Status != models.DeliveryPending || d.Attempts != 0 {
			t.Fatalf("queued delivery: %+v", d)
		}
	}
	logA, logB := &notify.LogChannel{}, &notify.LogChannel{}
	sms := &failingChannel{}
	sms.failures.Store(1)
	wa := &notify.Worker{Store: ta.store, Channels: []notify.Channel{logA, sms}, Render: RenderNotification, Holder: "a"}
	wb := &notify.Worker{Store: jf.other, Channels: []notify.Channel{logB, sms}, Render: RenderNotification, Holder: "b"}
	var wg sync.WaitGroup
	for _, w := range []*notify.Worker{wa, wb, wa, wb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.RunOnce(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	logged := append(logA.Sent(), logB.Sent()...)
	if len(logged) != int(recipients) {
		t.Fatalf("log channel sent %d, want %d (one a recipient)", len(logged), recipients)
	}
	for _, m := range logged {
		if m.Kind != models.NoteItemDueToday || m.Title != "事项今天到期" || m.Phone == "" {
			t.Fatalf("logged message: %+v", m)
		}
	}
	// One SMS failed: recorded, pending, retried after its pause.
	var failed models.Delivery
	if err := ta.store.Gorm().Where("channel = ? AND attempts = 1 AND status = ?", "sms", models.DeliveryPending).Take(&failed).Error; err != nil {
		t.Fatalf("the failed SMS is not recorded: %v", err)
	}
	if failed.LastError == "" || !failed.NextAttemptAt.After(time.Unix(0, jf.clock.Load())) {
		t.Fatalf("failed delivery: %+v", failed)
	}
	if n, _ := wa.RunOnce(ctx); n != 0 {
		t.Fatalf("retried before its pause: %d", n)
	}
	jf.clock.Add(int64(2 * time.Minute))
	if n, err := wa.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	var sent int64
	ta.store.Gorm().Model(&models.Delivery{}).Where("status = ?", models.DeliverySent).Count(&sent)
	if sent != 2*recipients || sms.sent.Load() != recipients {
		t.Fatalf("sent deliveries %d (sms %d), want %d (%d)", sent, sms.sent.Load(), 2*recipients, recipients)
	}
	// A channel that keeps failing gives up after five attempts.
	sms.failures.Store(100)
	jf.at("2027-08-18", 2)
	must(ta.store.RunReminders(ctx)) // overdue
	for range 8 {
		jf.clock.Add(int64(20 * time.Minute))
		if _, err := wa.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var gaveUp []models.Delivery
	ta.store.Gorm().Where("status = ?", models.DeliveryFailed).Find(&gaveUp)
	if len(gaveUp) != int(recipients) || gaveUp[0].Attempts != 5 {
		t.Fatalf("given up: %+v", gaveUp)
	}
	// An inbox-only kind queues nothing.
	before := int64(0)
	ta.store.Gorm().Model(&models.Delivery{}).Count(&before)
	ta.setResolutionStatus(t, jf.res.ID, models.ResolutionEvaluating)
	wantStatus(t, ta.do(req{method: "POST", path: resolutionPath(jf.res.ID) + "/survey-answers", as: jf.author,
		body: map[string]any{"level": "dissatisfied"}}), 201)
	var after int64
	ta.store.Gorm().Model(&models.Delivery{}).Count(&after)
	if after != before || countNotes(t, ta.store, f.Facilitator.ID, models.NoteSurveyBelowTarget) != 1 {
		t.Fatalf("inbox-only kind queued deliveries: %d → %d", before, after)
	}
}

// TestReminders_SettleEndedPublicity: the job moves a resolution whose publicity period ended to
// implementing though no one has read it since, once, with its event; one still in its period
// stays.
func TestReminders_SettleEndedPublicity(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	clock := ta.useClock()
	ended, open := ta.adoptedResolution("2030-01"), ta.adoptedResolution("2030-02")
	for _, c := range []struct {
		id   uint64
		days int
	}{{ended.ID, 2}, {open.ID, 9}} {
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/resolutions/%d/publicity", c.id), as: f.Facilitator,
			body: map[string]any{"days": c.days}}), http.StatusOK)
	}
	clock.advance(3*24*time.Hour + time.Minute)
	status := func(id uint64) string {
		var r models.Resolution
		if err := ta.store.Gorm().Take(&r, id).Error; err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	job := &notify.Reminders{Store: ta.store, Holder: "instance-a"}
	for i := 0; i < 2; i++ {
		if _, ran, err := job.RunOnce(context.Background()); err != nil || !ran {
			t.Fatalf("run %d: ran=%v err=%v", i, ran, err)
		}
	}
	if got := status(ended.ID); got != models.ResolutionImplementing {
		t.Fatalf("ended period: status %q, want implementing", got)
	}
	if got := status(open.ID); got != models.ResolutionPublicity {
		t.Fatalf("open period: status %q, want publicity", got)
	}
	var n int64
	ta.store.Gorm().Model(&models.Event{}).Where("type = ? AND subject_id = ?", models.EventResolutionImplementing, ended.ID).Count(&n)
	if n != 1 {
		t.Fatalf("%d resolution.implementing events, want 1", n)
	}
}
