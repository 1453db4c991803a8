package relay

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// codeAlphabet has no 0, O, 1, l or I, so codes read aloud or copied by
// hand come out right: 32 symbols, 5 bits each.
const codeAlphabet = "23456789abcdefghijkmnpqrstuvwxyz"

// codeLen symbols make 65 random bits.
const codeLen = 13

// NewCode returns a random join code such as "k7dm-x3qa-9fhwp".
func NewCode() string {
	b := make([]byte, codeLen)
	if _, err := rand.Read(b); err != nil {
		panic("relay: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	var s strings.Builder
	for i, c := range b {
		if i == 4 || i == 8 {
			s.WriteByte('-')
		}
		s.WriteByte(codeAlphabet[int(c)&31])
	}
	return s.String()
}

// NormalizeCode folds what people type into the canonical code: lower
// case, without dashes or spaces.
func NormalizeCode(code string) string {
	var s strings.Builder
	for _, r := range strings.ToLower(code) {
		switch r {
		case '-', ' ', '\t':
			continue
		}
		s.WriteRune(r)
	}
	return s.String()
}

// HashCode is how join codes and resume secrets are stored: only their
// SHA-256, so the log and the buckets never hold a usable code.
func HashCode(code string) string {
	sum := sha256.Sum256([]byte("breakout-code:" + NormalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// newSecret returns a random token for resume and admin use.
func newSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("relay: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// joinKeys turns a client's join key into the op id of the person.join
// it asks for and the secret of the person's resume token, so that a
// hello sent again with the same key (its welcome was lost) finds the
// person the first one made. The key itself never reaches the log.
// Without a key both are random.
func joinKeys(key string) (opID, secret string) {
	if key == "" {
		return "j" + newSecret()[:20], newSecret()
	}
	op := sha256.Sum256([]byte("breakout-join-op:" + key))
	sec := sha256.Sum256([]byte("breakout-join-secret:" + key))
	return "j" + hex.EncodeToString(op[:16]), hex.EncodeToString(sec[:24])
}

// validJoinKey: 16 to 64 letters, digits, '-' or '_'.
func validJoinKey(k string) bool {
	if len(k) < 16 || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte("breakout-token:" + secret))
	return hex.EncodeToString(sum[:])
}

// newSessionID returns a short random session id.
func newSessionID() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("relay: no randomness: " + err.Error())
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = codeAlphabet[int(c)&31]
	}
	return string(out)
}

// validSessionID reports whether id can be a session id: 1 to 64
// letters, digits, - or _, so that it is one literal NATS subject token.
func validSessionID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// resumeToken is "session.person.secret".
func resumeToken(session, person, secret string) string {
	return session + "." + person + "." + secret
}

func parseResumeToken(tok string) (session, person, secret string, ok bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func secretMatches(secret, hash string) bool {
	return sameHash(hashSecret(secret), hash)
}

// sameHash compares two hashes in constant time.
func sameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
