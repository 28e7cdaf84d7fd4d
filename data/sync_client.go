package data

import (
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
	"time"
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
	o    SyncOptions
	base *url.URL
	http HTTPDoer
	rp   RetryPolicy
}

func newSyncClient(o SyncOptions) (*syncClient, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(o.Server), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: %w: use http(s)://host[:port]", o.Server, ErrInvalid)
	}
	if o.Token == "" {
		return nil, fmt.Errorf("no server token: %w: pass --token, set ALMANAC_TOKEN, or save one on the Sync screen", ErrInvalid)
	}
	if o.PageSize <= 0 || o.PageSize > MaxPageLimit {
		o.PageSize = MaxPageLimit
	}
	c := &syncClient{o: o, base: u, http: o.Client, rp: o.Retry.normalize()}
	if c.http == nil {
		c.http = defaultHTTPClient()
	}
	return c, nil
}

func defaultHTTPClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
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
	if err := validateRemoteTenant(t); err != nil {
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
	if err == nil || c.o.Token == "" || !strings.Contains(err.Error(), string(c.o.Token)) {
		return err
	}
	return redactedError{redactToken(err.Error(), c.o.Token), err}
}

func redactToken(s string, token Secret) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, string(token), "***")
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
	return nil, c.redact(fmt.Errorf("GET %s failed %d times, last: %v: check the server is up and try again", path, c.rp.Attempts, last))
}

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

func (c *syncClient) once(ctx context.Context, path string, q url.Values, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.rp.RequestTimeout)
	defer cancel()
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+string(c.o.Token))
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, retryable{fmt.Errorf("GET %s: %v", path, redactURLError(err))}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(path, resp, c.o.Token)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, retryable{fmt.Errorf("GET %s: reading the body: %v", path, err)}
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: the answer is larger than %d MiB, so it was not read: the server is misbehaving", path, limit>>20)
	}
	return body, nil
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
	var ae apiError
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
		return fmt.Errorf("%w (HTTP 410): run the sync again with --full", ErrCursorExpired)
	case code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout:
		return retryable{fmt.Errorf("GET %s: HTTP %d: %s", path, code, msg)}
	default:
		return fmt.Errorf("GET %s: HTTP %d: %s", path, code, msg)
	}
}
