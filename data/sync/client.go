package sync

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/almanac-app/almanac/data"
)

// HTTPDoer sends requests; *http.Client is one.
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// Body caps: a hostile or broken server cannot make the client buffer without bound. A page of
// MaxPageLimit records is a few MiB of JSON; the cap leaves room for long text fields.
const (
	maxTenantBody = 1 << 20
	maxPageBody   = 64 << 20
)

// syncClient speaks the protocol: requests, retries, body caps, error classification.
type syncClient struct {
	o    Options
	base *url.URL
	http HTTPDoer
	rp   RetryPolicy
	lim  Limits
	// plain asks for uncompressed bodies: on a loopback server compressing and inflating every
	// page costs both processes CPU on the same cores and saves no network time.
	plain bool
}

func newSyncClient(o Options) (*syncClient, error) {
	u, err := ParseServerURL(o.Server)
	if err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, ErrNoToken
	}
	if o.PageSize <= 0 || o.PageSize > MaxPageLimit {
		o.PageSize = MaxPageLimit
	}
	c := &syncClient{o: o, base: u, http: noRedirects(o.Client), rp: o.Retry.normalize(), lim: o.Limits.normalize(),
		plain: isLoopback(u.Hostname())}
	return c, nil
}

// isLoopback reports whether host names this machine: "localhost" or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseServerURL checks a sync server URL: http or https, a host, and nothing that would carry
// a secret in the address (a user name, a password, a query or a fragment): the token goes in
// the Authorization header only.
func ParseServerURL(server string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(server), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("server URL %q: %w: use http(s)://host[:port]", redactURL(server), data.ErrInvalid)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, &data.InputError{Field: data.FieldServer, Value: redactURL(server), Problem: "holds a user name, password, query or fragment",
			Fix: "give the address alone; the token is sent in a header, never in the URL: give it with {token}"}
	}
	return u, nil
}

// redactURL hides the user info and query of a URL that is being refused for having them.
func redactURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "(unreadable)"
	}
	if u.User != nil {
		u.User = url.User("***")
	}
	if u.RawQuery != "" {
		u.RawQuery = "***"
	}
	if u.Fragment != "" {
		u.Fragment = "***"
	}
	return u.String()
}

// Origin is a URL's scheme, host and port ("https://example.com:443"): what a saved token
// belongs to. An unparseable URL has no origin.
func Origin(server string) string {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Host == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// noRedirects returns the client to use: the default one, or a copy of an *http.Client that
// follows no redirect (the 3xx answer itself comes back and stops the sync).
func noRedirects(d HTTPDoer) HTTPDoer {
	if d == nil {
		return defaultHTTPClient()
	}
	if hc, ok := d.(*http.Client); ok {
		cp := *hc
		cp.CheckRedirect = stopRedirect
		return &cp
	}
	return d
}

func stopRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func defaultHTTPClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{CheckRedirect: stopRedirect, Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, DialContext: d.DialContext, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 60 * time.Second,
		MaxIdleConnsPerHost: 2, IdleConnTimeout: 90 * time.Second,
	}}
}

// tenant fetches and checks GET /v1/tenant.
func (c *syncClient) tenant(ctx context.Context) (RemoteTenant, error) {
	body, err := c.get(ctx, "/v1/tenant", nil, maxTenantBody)
	if err != nil {
		return RemoteTenant{}, err
	}
	var t RemoteTenant
	if err := json.Unmarshal(body, &t); err != nil {
		return t, fmt.Errorf("the server's tenant description is not valid JSON: %v", err)
	}
	if err := t.Validate(); err != nil {
		return t, c.redact(fmt.Errorf("the server's tenant description is invalid: %v", err))
	}
	return t, nil
}

// redactedError shows an error's text with the token masked but keeps the chain for errors.Is.
type redactedError struct {
	msg string
	err error
}

func (r redactedError) Error() string { return r.msg }
func (r redactedError) Unwrap() error { return r.err }

// redact masks the token in err's text. A hostile or careless server can echo the token back
// (in an error body, or as a field value that a validation error quotes); the user's screen,
// the saved last result and any log must never show it.
func (c *syncClient) redact(err error) error {
	if err == nil || c.o.Token == "" {
		return err
	}
	if msg := redactToken(err.Error(), c.o.Token); msg != err.Error() {
		return redactedError{msg, err}
	}
	return err
}

// redactToken masks token in s, also in the forms the client's own messages turn it into: runs
// of white space collapsed to one space (as one-line messages do), or quoted (as %q does).
func redactToken(s string, token Secret) string {
	if strings.TrimSpace(string(token)) == "" {
		return s
	}
	t := string(token)
	forms := []string{t, strings.Join(strings.Fields(t), " "), strings.Trim(strconv.Quote(t), `"`)}
	for _, f := range forms {
		if strings.TrimSpace(f) != "" {
			s = strings.ReplaceAll(s, f, "***")
		}
	}
	// Each white-space-free piece of a long token, so no trimmed or re-spaced form shows it.
	for _, f := range strings.Fields(t) {
		if len(f) >= 8 {
			s = strings.ReplaceAll(s, f, "***")
		}
	}
	return s
}

// changes fetches one page of entity after cursor.
func (c *syncClient) changes(ctx context.Context, entity, cursor string) ([]byte, error) {
	q := url.Values{"limit": {strconv.Itoa(c.o.PageSize)}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return c.get(ctx, "/v1/changes/"+entity, q, maxPageBody)
}

// retryable marks failures worth another attempt.
type retryable struct{ err error }

func (r retryable) Error() string { return r.err.Error() }
func (r retryable) Unwrap() error { return r.err }

// get performs one GET with retries and returns the (decompressed) body.
func (c *syncClient) get(ctx context.Context, path string, q url.Values, limit int64) ([]byte, error) {
	var last error
	for attempt := 0; attempt < c.rp.Attempts; attempt++ {
		if attempt > 0 {
			if err := sleepCtx(ctx, c.backoff(attempt)); err != nil {
				return nil, err
			}
		}
		body, err := c.once(ctx, path, q, limit)
		if err == nil {
			return body, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var r retryable
		if !errors.As(err, &r) {
			return nil, c.redact(err)
		}
		last = err
	}
	return nil, c.redact(unavailableError{fmt.Sprintf("GET %s failed %d times, last: %v: check the server is up and try again", path, c.rp.Attempts, last)})
}

// unavailableError is a request that failed every attempt; it is ErrServerUnavailable.
type unavailableError struct{ msg string }

func (e unavailableError) Error() string        { return e.msg }
func (e unavailableError) Is(target error) bool { return target == ErrServerUnavailable }

// backoff is full jitter over a capped exponential: uniform in [0, min(Max, Base*2^attempt)).
func (c *syncClient) backoff(attempt int) time.Duration {
	d := c.rp.Base << min(attempt-1, 20)
	if d <= 0 || d > c.rp.Max {
		d = c.rp.Max
	}
	return time.Duration(rand.Int64N(int64(d))) + time.Millisecond
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// once is one attempt: the whole request is bounded by RequestTimeout, the wait for headers by
// HeaderTimeout, and the body must keep MinRate over every RateWindow.
func (c *syncClient) once(ctx context.Context, path string, q url.Values, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.rp.RequestTimeout)
	defer cancel()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+string(c.o.Token))
	req.Header.Set("Accept", "application/json")
	if c.plain {
		// Set by hand, the transport neither adds gzip nor inflates: body does it if needed.
		req.Header.Set("Accept-Encoding", "identity")
	}
	headers := time.AfterFunc(c.lim.HeaderTimeout, func() {
		stop(fmt.Errorf("no answer within %v", c.lim.HeaderTimeout))
	})
	resp, err := c.http.Do(req)
	headers.Stop()
	if err != nil {
		return nil, retryable{fmt.Errorf("GET %s: %v", path, causeOr(ctx, redactURLError(err)))}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, redirectError(path, resp)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(path, resp, c.o.Token)
	}
	rr := &rateReader{r: resp.Body}
	defer rr.watch(c.lim.MinRate, c.lim.RateWindow, stop)()
	body, err := readBody(rr, resp.Header, limit)
	if err != nil {
		return nil, retryable{fmt.Errorf("GET %s: reading the body: %v", path, causeOr(ctx, err))}
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: the answer is larger than %d MiB, so it was not read: the server is misbehaving", path, limit>>20)
	}
	return body, nil
}

// readBody reads up to limit+1 bytes of the body r, inflating it when the server gzipped it
// although the request asked for none (the transport inflates only what it asked for itself).
func readBody(r io.Reader, h http.Header, limit int64) ([]byte, error) {
	if strings.EqualFold(h.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	return io.ReadAll(io.LimitReader(r, limit+1))
}

// causeOr is the reason ctx was cancelled by once (too slow, no headers) or else err.
func causeOr(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) && !errors.Is(c, context.DeadlineExceeded) {
		return c
	}
	return err
}

// rateReader counts the bytes read through it.
type rateReader struct {
	r io.Reader
	n atomic.Int64
}

func (r *rateReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n.Add(int64(n))
	return n, err
}

// watch checks every window that at least rate*window bytes arrived in it, else cancels the
// request with a cause naming the figures; the returned func stops watching.
func (r *rateReader) watch(rate int64, window time.Duration, cancel context.CancelCauseFunc) func() {
	if rate <= 0 {
		return func() {}
	}
	need := max(int64(float64(rate)*window.Seconds()), 1)
	var t *time.Timer
	var mu sync.Mutex
	var last int64
	check := func() {
		mu.Lock()
		defer mu.Unlock()
		n := r.n.Load()
		if n-last < need {
			cancel(fmt.Errorf("the server sent %d bytes in %v, under the minimum of %d bytes/s: the transfer is too slow", n-last, window, rate))
			return
		}
		last = n
		t.Reset(window)
	}
	mu.Lock()
	t = time.AfterFunc(window, check)
	mu.Unlock()
	return func() { t.Stop() }
}

// redirectError refuses a 3xx answer, naming where it pointed.
func redirectError(path string, resp *http.Response) error {
	loc := resp.Header.Get("Location")
	if resp.Request == nil || resp.Request.URL == nil {
		resp.Request = &http.Request{URL: &url.URL{}}
	}
	if ref, err := resp.Request.URL.Parse(loc); err == nil && loc != "" {
		ref.User = nil
		if ref.RawQuery != "" {
			ref.RawQuery = "…"
		}
		loc = ref.String()
	}
	loc = strings.Join(strings.Fields(loc), " ")
	if len(loc) > 200 {
		loc = loc[:200] + "…"
	}
	if loc == "" {
		loc = "(no Location)"
	}
	return fmt.Errorf("%w: GET %s answered HTTP %d pointing to %s; Almanac follows no redirect, so the token is not sent there: if that address is the server, sync with it as the server URL",
		ErrRedirect, path, resp.StatusCode, strconv.Quote(loc))
}

// redactURLError drops the URL (which may carry query values) from transport errors.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// statusError classifies a non-200 answer.
func statusError(path string, resp *http.Response, token Secret) error {
	var ae APIError
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = json.Unmarshal(b, &ae)
	msg := ae.Error
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	msg = redactToken(strings.Join(strings.Fields(msg), " "), token)
	if len(msg) > 200 {
		msg = msg[:200]
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("%w (HTTP %d): check the token and try again", ErrTokenRejected, code)
	case code == http.StatusGone:
		return fmt.Errorf("%w (HTTP 410): %w", ErrCursorExpired, data.ErrNeedFullSync)
	case code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout:
		return retryable{fmt.Errorf("GET %s: HTTP %d: %s", path, code, msg)}
	default:
		return fmt.Errorf("GET %s: HTTP %d: %s", path, code, msg)
	}
}
