package drconfig

import (
	"encoding/base64"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secretsFile = "testdata/Pulumi.secrets.yaml"

// TestStackFileSecretsAreRefused: a secure value under any fhir-dr key,
// which fhir-dr would stamp as a tag, make part of a name or property, or
// pass to the FHIR server in plain text, is refused naming its key to the
// leaf; a provider's secret is not fhir-dr's business.
func TestStackFileSecretsAreRefused(t *testing.T) {
	_, err := LoadFile(secretsFile)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, secretsFile, e.File)
	assert.Equal(t, Problems{
		{"fhir-dr:compute.apiServer.authorizedIPRanges[0]", "must not be a secret: fhir-dr settings become resource names, properties, " +
			"tags and stack outputs in plain text; no fhir-dr key takes a secret"},
		{"fhir-dr:customer", "must not be a secret: the customer id is part of every resource name, tag and output"},
		{"fhir-dr:fhir.auth.audience", "must not be a secret: the FHIR server's settings are plain-text Kubernetes environment variables and stack outputs"},
		{"fhir-dr:tags.owner", "must not be a secret: tags are plain text in Azure"},
	}, e.Problems)
	_, err = ReadStackFile(secretsFile)
	assert.Equal(t, e.Error(), err.Error(), "ReadStackFile, which drctl plan and the review read stack files with, refuses them")

	// The fixture's values are real secrets: they decrypt with its passphrase.
	project := &workspace.Project{Name: Namespace, Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	stack, err := workspace.LoadProjectStack(nil, project, secretsFile)
	require.NoError(t, err)
	salt, err := base64.StdEncoding.DecodeString(strings.Split(stack.EncryptionSalt, ":")[1]) // v1:<salt>:<check>
	require.NoError(t, err)
	values, err := stack.Config.Decrypt(config.NewSymmetricCrypterFromPassphrase("fhir-dr-test", salt))
	require.NoError(t, err)
	assert.Contains(t, values[config.MustMakeKey(Namespace, "tags")], "jane.doe@contoso.example")
}

// TestSecretCapableKeys: a key declared secret-capable may hold a secret.
func TestSecretCapableKeys(t *testing.T) {
	secretCapable["fhir-dr:tags.owner"] = true
	t.Cleanup(func() { delete(secretCapable, "fhir-dr:tags.owner") })
	_, err := ReadStackFile(secretsFile)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Len(t, e.Problems, 3)
	assert.NotContains(t, e.Error(), "fhir-dr:tags.owner")
}

// TestFromContextRefusesSecrets: under the engine the program gets its
// configuration decrypted, with the keys that are secret named beside it
// (PULUMI_CONFIG_SECRET_KEYS); FromContext refuses those of fhir-dr before
// anything is registered.
func TestFromContextRefusesSecrets(t *testing.T) {
	values := map[string]string{
		"azure-native:clientSecret": "hunter2",
		"fhir-dr:customer":          "acme",
		"fhir-dr:primaryRegion":     "eastus",
		"fhir-dr:tags":              `{"owner":"jane.doe@contoso.example"}`,
		"fhir-dr:fhir":              `{"auth":{"audience":"https://acme-fhir.trafficmanager.net"}}`,
	}
	run := func(secretKeys ...string) (*Config, error) {
		var cfg *Config
		err := pulumi.RunErr(func(ctx *pulumi.Context) error {
			var err error
			cfg, err = FromContext(ctx)
			return err
		}, pulumi.WithMocks(Namespace, "acme", mocks{}), func(info *pulumi.RunInfo) {
			info.Config, info.ConfigSecretKeys = values, secretKeys
		})
		return cfg, err
	}
	cfg, err := run()
	require.NoError(t, err)
	assert.Equal(t, "jane.doe@contoso.example", cfg.Tags["owner"])

	_, err = run("azure-native:clientSecret", "fhir-dr:tags", "fhir-dr:fhir")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, &Error{File: stackfile.Path("acme"), Problems: Problems{
		{"fhir-dr:fhir", "must not be a secret: the FHIR server's settings are plain-text Kubernetes environment variables and stack outputs"},
		{"fhir-dr:tags", "must not be a secret: tags are plain text in Azure"},
	}}, e)
}

type mocks struct{}

func (mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name, args.Inputs, nil
}

func (mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }
