// Command coredns is CoreDNS with only the plugins the local test cluster's DNS needs:
// cluster names from the Kubernetes API, health and readiness for the kubelet's probes,
// a cache, and reload of the Corefile from its ConfigMap. Fewer plugins build faster and
// pull in no cloud SDKs. Pods in the test cluster need no resolver for outside names.
package main

import (
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	"github.com/coredns/coredns/coremain"
)

func main() {
	coremain.Run()
}
