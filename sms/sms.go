// Package sms texts one-time codes to phones through an SMS provider. Sender is the boundary the
// rest of the product sees; Aliyun is a client for Alibaba Cloud's Short Message Service written
// against its documented HTTP API (no SDK).
package sms

import (
	"context"
	"fmt"
)

// Sender texts a one-time code to a mainland phone number.
type Sender interface {
	SendCode(ctx context.Context, phone, code string) error
}

// ProviderError is a refusal by the provider: its own error code and message.
type ProviderError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("sms provider refused (HTTP %d, %s): %s [request %s]", e.Status, e.Code, e.Message, e.RequestID)
}
