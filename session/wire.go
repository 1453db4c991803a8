package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Message types on the wire (docs/protocol.md).
const (
	MsgHello   = "hello"
	MsgWelcome = "welcome"
	MsgOp      = "op"
	MsgEvent   = "event"
	MsgAck     = "ack"
	MsgReject  = "reject"
	MsgError   = "error"
)

// Hello is the first message a client sends.
type Hello struct {
	Type       string `json:"type"`
	Code       string `json:"code,omitempty"`
	Name       string `json:"name,omitempty"`
	Background string `json:"background,omitempty"`
	Resume     string `json:"resume,omitempty"`
	Since      int64  `json:"since,omitempty"`
	// Join is a key the client makes up for a join with a code and sends
	// again with every hello until it is welcomed: a join whose welcome
	// was lost (the connection dropped, the relay restarted) then gives
	// back the person it made rather than make another.
	Join string `json:"join,omitempty"`
}

// OpMsg carries an op from a client.
type OpMsg struct {
	Type string          `json:"type"`
	ID   string          `json:"id"`
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Op returns the op the message carries.
func (m OpMsg) Op() Op { return Op{ID: m.ID, Kind: m.Kind, Data: m.Data} }

// You is the person a welcome is for.
type You struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	Group string `json:"group,omitempty"`
}

// Welcome answers a hello: who the client is, a resume token, and either
// a snapshot of the state as this viewer may see it, or the events since
// the client's seq.
type Welcome struct {
	Type     string  `json:"type"`
	Session  string  `json:"session"`
	You      You     `json:"you"`
	Resume   string  `json:"resume"`
	Snapshot *State  `json:"snapshot,omitempty"`
	Seq      int64   `json:"seq"`
	Events   []Event `json:"events,omitempty"`
}

// EventMsg carries an event to a client.
type EventMsg struct {
	Type string `json:"type"`
	Event
}

// Ack says an op was applied with seq.
type Ack struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Seq  int64  `json:"seq"`
}

// Reject says an op was refused, and why.
type Reject struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Error is fatal for the connection: the relay closes it after sending.
// It is also the Go error of a refusal, on both sides of the wire, so
// callers match it with errors.As and read its Code.
type Error struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Errorf returns the error message with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Type: MsgError, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return e.Message + " (" + e.Code + ")" }

// Wire errors codes (the error message).
const (
	ErrCodeBadCode  = "bad_code"
	ErrCodeBadToken = "bad_resume"
	ErrCodeProtocol = "protocol"
	ErrCodeTooMany  = "too_many_attempts"
	ErrCodeSlow     = "too_slow"
	ErrCodeShutdown = "shutdown"
	ErrCodeInternal = "internal"
	// ErrCodeRemoved ends the connections of a person removed from the
	// session (person.remove), and answers their resume token.
	ErrCodeRemoved = "removed"
	// ErrCodeNameNeeded answers a hello with a shared code and no name:
	// the client asks the person for one and says hello again.
	ErrCodeNameNeeded = "name_needed"
)

// MaxNesting is how deep a client message may nest JSON; op data has no
// need for more.
const MaxNesting = 16

// ErrMessage is a client message the relay cannot read.
var ErrMessage = errors.New("bad message")

// DecodeClient reads one message from a client: a *Hello or an *OpMsg.
// It rejects invalid UTF-8, deep nesting, unknown fields and unknown types.
func DecodeClient(frame []byte) (any, error) {
	if !utf8.Valid(frame) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrMessage)
	}
	if err := checkNesting(frame, MaxNesting); err != nil {
		return nil, err
	}
	if op, ok := decodeOpFrame(frame); ok {
		return op, nil
	}
	return decodeClientJSON(frame)
}

// decodeClientJSON is DecodeClient by encoding/json: it decides on every
// frame decodeOpFrame leaves to it.
func decodeClientJSON(frame []byte) (any, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(frame, &head); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrMessage, err)
	}
	var msg any
	switch head.Type {
	case MsgHello:
		msg = &Hello{}
	case MsgOp:
		msg = &OpMsg{}
	case "":
		return nil, fmt.Errorf("%w: no \"type\"", ErrMessage)
	default:
		return nil, fmt.Errorf("%w: unknown type %q", ErrMessage, head.Type)
	}
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.DisallowUnknownFields()
	if err := dec.Decode(msg); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrMessage)
	}
	if op, ok := msg.(*OpMsg); ok && len(op.Data) > 0 && op.Data[0] != '{' {
		return nil, fmt.Errorf("%w: op data must be an object", ErrMessage)
	}
	return msg, nil
}

// checkNesting refuses JSON nested deeper than max without parsing it.
func checkNesting(b []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return fmt.Errorf("%w: nested deeper than %d", ErrMessage, max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// LogMessage is one message of a session's log: entries appended together
// (group commit) at one time.
type LogMessage struct {
	At      time.Time `json:"at"`
	Entries []Entry   `json:"entries"`
}
