package models

import "fmt"

// attemptRules charges an attempt to each key with its limit in the login throttle's window and
// lock, for reserveAttempt.
func attemptRules(limits map[string]int) []throttleRule {
	rules := make([]throttleRule, 0, len(limits))
	for key, limit := range limits {
		rules = append(rules, throttleRule{key: key, limit: limit, window: throttleWindow, lock: throttleLock})
	}
	return rules
}

// clearAttempts forgets the attempts counted against a key.
func clearAttempts(tx *Tx, key string) error {
	if err := tx.Where("`key` = ?", key).Delete(&loginThrottle{}).Error; err != nil {
		return fmt.Errorf("clear throttle %s: %w", key, err)
	}
	return nil
}
