package kubeconfig

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const aksExec = `apiVersion: v1
kind: Config
clusters:
- name: aks-contoso-fhir-primary
  cluster:
    certificate-authority-data: Q0E=
    server: https://contoso-fhir-primary-1234.hcp.eastus.azmk8s.io:443
contexts:
- name: aks-contoso-fhir-primary
  context:
    cluster: aks-contoso-fhir-primary
    user: clusterUser_rg_aks-contoso-fhir-primary
current-context: aks-contoso-fhir-primary
users:
- name: clusterUser_rg_aks-contoso-fhir-primary
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630,
        --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, t, --login, devicecode]
      provideClusterInfo: false
`

func encode(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestFromAKSSwitchesToAzureCLILogin(t *testing.T) {
	out, err := FromAKS(encode(aksExec))
	require.NoError(t, err)
	var doc struct {
		Clusters []struct {
			Cluster struct{ Server string } `yaml:"cluster"`
		} `yaml:"clusters"`
		Users []struct {
			User struct {
				Exec struct {
					APIVersion string   `yaml:"apiVersion"`
					Command    string   `yaml:"command"`
					Args       []string `yaml:"args"`
				} `yaml:"exec"`
			} `yaml:"user"`
		} `yaml:"users"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Users, 1)
	exec := doc.Users[0].User.Exec
	assert.Equal(t, "kubelogin", exec.Command)
	assert.Equal(t, ExecAPIVersion, exec.APIVersion)
	assert.Equal(t, []string{"get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"}, exec.Args)
	assert.Equal(t, "https://contoso-fhir-primary-1234.hcp.eastus.azmk8s.io:443", doc.Clusters[0].Cluster.Server)
}

func TestFromAKSRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"not base64":    "%%%",
		"not yaml":      encode("users: [unclosed"),
		"no users":      encode("apiVersion: v1\nkind: Config\n"),
		"admin cert":    encode("users:\n- name: clusterAdmin\n  user:\n    client-certificate-data: Q0E=\n    client-key-data: Q0E=\n"),
		"static token":  encode("users:\n- name: u\n  user:\n    token: abc\n    exec: {command: kubelogin, args: [get-token, --server-id, x]}\n"),
		"other command": encode("users:\n- name: u\n  user:\n    exec: {command: az, args: [get-token]}\n"),
		"no server id":  encode("users:\n- name: u\n  user:\n    exec: {command: kubelogin, args: [get-token, --login, devicecode]}\n"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := FromAKS(in)
			assert.Error(t, err)
		})
	}
}

func TestCheck(t *testing.T) {
	out, err := FromAKS(encode(aksExec))
	require.NoError(t, err)
	assert.NoError(t, Check(out))
	raw, err := base64.StdEncoding.DecodeString(encode(aksExec))
	require.NoError(t, err)
	assert.ErrorContains(t, Check(string(raw)), "does not log in with kubelogin get-token --login azurecli")
	assert.ErrorContains(t, Check("users:\n- name: admin\n  user:\n    client-key-data: eA==\n"), "static credential")
	assert.ErrorContains(t, Check("{}"), "no users")
}
