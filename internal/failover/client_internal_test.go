package failover

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// transport answers every request with an account and records it; no
// network is used.
type transport struct{ got []*http.Request }

func (t *transport) Do(req *http.Request) (*http.Response, error) {
	t.got = append(t.got, req)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Request: req,
		Body: io.NopCloser(strings.NewReader(`{"id":"/a","properties":{"enableAutomaticFailover":true}}`))}, nil
}

type credential struct{ scopes []string }

func (c *credential) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.scopes = o.Scopes
	return azcore.AccessToken{Token: "tok", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// Each cloud's client sends its bearer token to that cloud's Resource
// Manager, for that cloud's audience; a stand-in client sends none.
func TestCloudsAndCredentials(t *testing.T) {
	for name, want := range map[string]string{
		"AzurePublic":       "https://management.azure.com",
		"AzureUSGovernment": "https://management.usgovcloudapi.net",
		"AzureChina":        "https://management.chinacloudapi.cn",
	} {
		tr, cred := &transport{}, &credential{}
		c, err := NewClient(Options{Cloud: Clouds[name], Credential: cred, Transport: tr})
		require.NoError(t, err, name)
		_, err = c.Get(context.Background(), "/subscriptions/s/resourceGroups/g/providers/Microsoft.DocumentDB/databaseAccounts/a")
		require.NoError(t, err, name)
		require.Len(t, tr.got, 1, name)
		assert.Equal(t, want, tr.got[0].URL.Scheme+"://"+tr.got[0].URL.Host, name)
		assert.Equal(t, "Bearer tok", tr.got[0].Header.Get("Authorization"), name)
		assert.Equal(t, []string{Clouds[name].Services["resourceManager"].Audience + "/.default"}, cred.scopes, name, "as azcore forms it")
	}

	tr := &transport{}
	c, err := NewClient(Options{Endpoint: "http://127.0.0.1:1", Transport: tr})
	require.NoError(t, err)
	_, err = c.Get(context.Background(), "/subscriptions/s/resourceGroups/g/providers/Microsoft.DocumentDB/databaseAccounts/a")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1", tr.got[0].URL.Scheme+"://"+tr.got[0].URL.Host)
	assert.Empty(t, tr.got[0].Header.Get("Authorization"), "no credential to a stand-in")
}

// ReadJSON follows a nextLink only on the client's own endpoint: a
// credential never leaves Resource Manager.
func TestReadJSONStaysOnTheEndpoint(t *testing.T) {
	tr, cred := &transport{}, &credential{}
	c, err := NewClient(Options{Credential: cred, Transport: tr})
	require.NoError(t, err)
	var out map[string]any
	err = c.ReadJSON(context.Background(), "https://management.azure.com.evil.example/subscriptions/s?api-version=1", "2020-01-01", nil, &out)
	require.ErrorIs(t, err, ErrOtherHost)
	assert.Empty(t, tr.got, "nothing sent")
	require.NoError(t, c.ReadJSON(context.Background(), "https://management.azure.com/subscriptions/s/x?api-version=1&page=2", "2020-01-01", nil, &out))
	require.NoError(t, c.ReadJSON(context.Background(), "/subscriptions/s/y", "2020-01-01", map[string][]string{"a": {"b"}}, &out))
	require.Len(t, tr.got, 2)
	assert.Equal(t, "api-version=1&page=2", tr.got[0].URL.RawQuery, "a nextLink keeps its own api-version")
	assert.Equal(t, "a=b&api-version=2020-01-01", tr.got[1].URL.RawQuery)
	assert.Equal(t, "/subscriptions/s/y", tr.got[1].URL.Path)
	assert.Equal(t, "/a", out["id"])
}
