package models

import "fmt"

// carryTopics brings back into a cycle just opened the topics of its compound that an earlier
// cycle did not choose (docs/phases.md "Topics carried into the next cycle"). A topic comes
// back when its cycle is over — closed, or cancelled, whose chosen topic was never worked on
// and comes back too — and it still stands (open or shortlisted, or the choice of a cancelled
// month), and it was not carried before. Each comes as a copy in the new cycle, pointing at the
// topic it came from, with the endorsements of those who are still members of the community:
// the closed cycle stays an archive that never changes, and a resident who endorses the copy
// again is already counted (one endorsement a person and topic, the primary key). The unique
// key on carried_from_topic_id carries a topic once, so a copy that is again not chosen comes
// back from its own cycle, one level deep, and decides between two cycles of one compound
// opened at once: on MySQL the second reads the topics in the snapshot its transaction took
// before it waited for the first, so it may try a topic the first carried, and the key refuses
// that copy (the statement alone is undone); the topic stays with the first. It returns how many
// topics came back.
func carryTopics(tx *Tx, a Actor, c *Cycle) (int, error) {
	var from []Topic
	err := tx.Table("topics").Select("topics.*").
		Joins("JOIN cycles ON cycles.id = topics.cycle_id").
		Where("cycles.community_id = ? AND cycles.compound_id = ? AND cycles.id <> ?", c.CommunityID, c.CompoundID, c.ID).
		Where(tx.Where("cycles.phase = ? AND topics.status IN ?", PhaseClosed, []string{TopicOpen, TopicShortlisted}).
			Or("cycles.phase = ? AND topics.status IN ?", PhaseCancelled, []string{TopicOpen, TopicShortlisted, TopicSelected})).
		Where("NOT EXISTS (SELECT 1 FROM topics l WHERE l.carried_from_topic_id = topics.id)").
		Order("topics.id").Find(&from).Error
	if err != nil {
		return 0, fmt.Errorf("find topics to carry into cycle %d: %w", c.ID, err)
	}
	n := 0
	for _, t := range from {
		fromID := t.ID
		cp := &Topic{CycleID: c.ID, CommunityID: c.CommunityID, Title: t.Title, Description: t.Description,
			Source: t.Source, ProposerID: t.ProposerID, EnteredBy: t.EnteredBy, Status: TopicOpen,
			CreatedAt: t.CreatedAt, CarriedFromTopicID: &fromID}
		if err := tx.Create(cp).Error; err != nil {
			if isDuplicate(err) {
				continue // another cycle opened meanwhile carried it
			}
			return 0, fmt.Errorf("carry topic %d: %w", t.ID, err)
		}
		// The endorsements of those who are still members; an account closed or a member removed
		// since no longer speaks for the compound.
		res := tx.Exec(`INSERT INTO endorsements (topic_id, user_id, created_at)
			SELECT ?, e.user_id, e.created_at FROM endorsements e WHERE e.topic_id = ?
			AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = e.user_id AND m.community_id = ?)`,
			cp.ID, t.ID, c.CommunityID)
		if res.Error != nil {
			return 0, fmt.Errorf("carry endorsements of topic %d: %w", t.ID, res.Error)
		}
		e := res.RowsAffected
		if e > 0 {
			if err := tx.Model(&Topic{}).Where("id = ?", cp.ID).Update("carried_endorsements", e).Error; err != nil {
				return 0, fmt.Errorf("count carried endorsements of topic %d: %w", cp.ID, err)
			}
		}
		if _, err := tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: EvTopicCarried, SubjectType: "topic",
			SubjectID: cp.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: TopicCarriedPayload{CycleID: c.ID, Endorsements: e, FromCycleID: t.CycleID, FromTopicID: t.ID,
				Title: t.Title}}); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
