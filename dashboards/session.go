package dashboards

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const sessionCookie = "xfwatch_session"

// session is a logged-in user.
type session struct {
	user    *User
	csrf    string
	expires time.Time
}

// sessions is the in-memory session store; a restart logs everyone out.
type sessions struct {
	mu    sync.Mutex
	byID  map[string]*session
	idle  time.Duration
	clock func() time.Time
}

func newSessions(idle time.Duration) *sessions {
	return &sessions{byID: map[string]*session{}, idle: idle, clock: time.Now}
}

func token() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(u *User) (string, *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := token()
	ss := &session{user: u, csrf: token(), expires: s.clock().Add(s.idle)}
	s.byID[id] = ss
	return id, ss
}

func (s *sessions) get(r *http.Request) (string, *session) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[c.Value]
	if ss == nil {
		return "", nil
	}
	if s.clock().After(ss.expires) {
		delete(s.byID, c.Value)
		return "", nil
	}
	ss.expires = s.clock().Add(s.idle)
	return c.Value, ss
}

func (s *sessions) drop(id string) {
	s.mu.Lock()
	delete(s.byID, id)
	s.mu.Unlock()
}

// setCookie writes the session cookie: HttpOnly, SameSite=Strict, Secure on
// TLS (or behind a TLS-terminating proxy when secure is set).
func setCookie(w http.ResponseWriter, r *http.Request, id string, maxAge int, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure || r.TLS != nil,
	})
}

// sameOrigin checks a state-changing request came from this site: Origin
// (or, without it, Referer) must name the request's own host.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return false
	}
	u, err := url.Parse(src)
	return err == nil && u.Host == r.Host
}

func csrfOK(ss *session, r *http.Request) bool {
	got := r.PostFormValue("csrf")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(ss.csrf)) == 1
}
