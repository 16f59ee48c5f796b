package models

import (
	"context"
	"fmt"
	"time"
)

// The public meeting notice (会前公告, docs/paper.md "The public notice"): what the printed notice
// on the stairwell door says, for anyone with the link and no login — the owners' WeChat group,
// and the crawler that draws the group's link preview. It names the community and compound, the
// topic, the meeting's title, time and place, and whether cards are being collected. It names
// nobody, and never carries the join code: the code is given only in the room
// (docs/phases.md "Who signs in").

// NoticeZone is the zone the notice's time is read in: the communities are in mainland China, and
// the UI shows every time in Asia/Shanghai (frontend/src/format.ts).
const NoticeZone = "Asia/Shanghai"

// Notice is a meeting's public notice.
type Notice struct {
	MeetingID uint64     `json:"meeting_id"`
	CycleID   uint64     `json:"cycle_id"`
	Community BoardPlace `json:"community"`
	Compound  BoardPlace `json:"compound"`
	Month     string     `json:"month"`
	// Title is the meeting's title; Topic the cycle's selected topic ("" before one is selected).
	Title    string    `json:"title"`
	Topic    string    `json:"topic"`
	StartsAt time.Time `json:"starts_at"`
	TimeZone string    `json:"time_zone"`
	Location string    `json:"location"`
	// Status is the meeting's: scheduled or started.
	Status string `json:"status"`
	// CardsOpen says whether solution cards are taken now (online and on paper).
	CardsOpen bool `json:"cards_open"`
}

// noticeRow is what one query reads for a notice.
type noticeRow struct {
	MeetingID     uint64
	CycleID       uint64
	CommunityID   uint64
	CommunityName string
	CompoundID    uint64
	CompoundName  string
	Month         string
	Phase         string
	Title         string
	Topic         string
	StartsAt      time.Time
	Location      string
	Status        string
}

// PublicNotice reads a meeting's public notice without a login. Only a meeting that is scheduled
// or running, in a cycle neither cancelled nor closed, has one; any other meeting answers exactly
// like an id that does not exist, so that ids cannot be probed for a meeting's state.
func (s *Store) PublicNotice(ctx context.Context, meetingID uint64) (*Notice, error) {
	var r noticeRow
	err := s.rdb(ctx).Table("meetings").
		Select(`meetings.id AS meeting_id, meetings.cycle_id AS cycle_id, meetings.community_id AS community_id,
			communities.name AS community_name, cycles.compound_id AS compound_id, compounds.name AS compound_name,
			cycles.month AS month, cycles.phase AS phase, meetings.title AS title, COALESCE(st.title, '') AS topic,
			meetings.starts_at AS starts_at, meetings.location AS location, meetings.status AS status`).
		Joins("JOIN cycles ON cycles.id = meetings.cycle_id").
		Joins("JOIN communities ON communities.id = meetings.community_id").
		Joins("JOIN compounds ON compounds.id = cycles.compound_id").
		Joins("LEFT JOIN topics st ON st.id = cycles.selected_topic_id").
		Where("meetings.id = ? AND meetings.status IN ? AND cycles.phase NOT IN ?", meetingID,
			[]string{MeetingScheduled, MeetingStarted}, []string{PhaseCancelled, PhaseClosed}).
		Take(&r).Error
	if err != nil {
		if err = notFound(err); err == errNotFound {
			return nil, err
		}
		return nil, fmt.Errorf("read notice of meeting %d: %w", meetingID, err)
	}
	return &Notice{
		MeetingID: r.MeetingID, CycleID: r.CycleID,
		Community: BoardPlace{ID: r.CommunityID, Name: r.CommunityName},
		Compound:  BoardPlace{ID: r.CompoundID, Name: r.CompoundName},
		Month:     r.Month, Title: r.Title, Topic: r.Topic, StartsAt: r.StartsAt.UTC(), TimeZone: NoticeZone,
		Location: r.Location, Status: r.Status,
		CardsOpen: r.Phase == PhaseCardCollection || r.Phase == PhaseRoundTable,
	}, nil
}
