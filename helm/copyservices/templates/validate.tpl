{{/*
Checks that values.schema.json cannot express: they depend on each other or on the cluster's APIs.
Rendered from every manifest's first line through "copyservices.validate", so a wrong combination
fails the whole install before anything is sent to the cluster. Wrong combinations are reported
before missing values, so that the first message names what is actually wrong.
*/}}
{{- define "copyservices.validate" -}}
{{- $v := .Values -}}
{{- $tls := $v.tls -}}
{{- $secrets := dict "tls.existingSecret" $tls.existingSecret "tls.operatorSecret" $tls.operatorSecret "tls.csiSecret" $tls.csiSecret -}}
{{- if $v.insecureDev -}}
{{- /* the agents refuse --replication-listen with --insecure-dev */ -}}
{{- $replication := dict "peer.site" $v.peer.site "peer.replicationEndpoint" $v.peer.replicationEndpoint "arrayAgent.replicationAdvertise" $v.arrayAgent.replicationAdvertise "arrayAgent.replicationHostPort" $v.arrayAgent.replicationHostPort -}}
{{- range $field, $value := $replication -}}
{{- if $value -}}
{{- fail (printf "insecureDev: a plaintext install has no replication link, so no peer; leave %s unset, or set insecureDev=false and give the TLS identities (tls.*)" $field) -}}
{{- end -}}
{{- end -}}
{{- range $field, $value := merge (dict "tls.certManager.enabled" $tls.certManager.enabled) $secrets -}}
{{- if $value -}}
{{- fail (printf "insecureDev: the components run without TLS and would not use %s; leave it unset, or set insecureDev=false" $field) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $tls.certManager.enabled -}}
{{- range $field, $value := $secrets -}}
{{- if $value -}}
{{- fail (printf "%s: with tls.certManager.enabled the chart makes all the Secrets itself; set either %s or tls.certManager.enabled, not both" $field $field) -}}
{{- end -}}
{{- end -}}
{{- if not (.Capabilities.APIVersions.Has "cert-manager.io/v1") -}}
{{- fail "tls.certManager.enabled: the cluster does not serve cert-manager.io/v1; install cert-manager first, or give tls.existingSecret, tls.operatorSecret and tls.csiSecret" -}}
{{- end -}}
{{- if not $tls.certManager.issuerRef.name -}}
{{- fail "tls.certManager.issuerRef.name: name the Issuer (or ClusterIssuer) that signs the copyservices certificates" -}}
{{- end -}}
{{- end -}}
{{- if and $v.peer.replicationEndpoint (not $v.peer.site) -}}
{{- fail "peer.replicationEndpoint: name the peer site as well (peer.site): the agents' replication port accepts only the agents of that site" -}}
{{- end -}}
{{- if and $v.arrayAgent.replicationHostPort $v.arrayAgent.replicationAdvertise -}}
{{- fail "arrayAgent.replicationHostPort advertises each agent at its node's IP; leave arrayAgent.replicationAdvertise empty with it" -}}
{{- end -}}
{{- range $field, $value := dict "arrayAgent.replicationAdvertise" $v.arrayAgent.replicationAdvertise "arrayAgent.replicationHostPort" $v.arrayAgent.replicationHostPort -}}
{{- if and $value (not $v.peer.site) -}}
{{- fail (printf "%s: only a site with a peer has a replication listener; set peer.site, or leave %s unset" $field $field) -}}
{{- end -}}
{{- end -}}
{{- if and $v.peer.site (eq $v.peer.site $v.site) -}}
{{- fail (printf "peer.site: the peer site must be another site than this one (%s)" $v.site) -}}
{{- end -}}
{{- if not (or $v.insecureDev $tls.certManager.enabled) -}}
{{- $needed := list (list $v.arrayAgent.enabled "tls.existingSecret" "the agents'" (printf "O=array-agent, CN=%s" $v.site)) (list $v.operator.enabled "tls.operatorSecret" "the operator's" "O=operator") (list $v.csi.enabled "tls.csiSecret" "the CSI driver's" "O=csi") -}}
{{- range $needed -}}
{{- $enabled := index . 0 -}}
{{- $field := index . 1 -}}
{{- if and $enabled (not (get $secrets $field)) -}}
{{- fail (printf "%s: every connection to the agents is mutual TLS; name the Secret (tls.crt, tls.key as PKCS#8 PEM, ca.crt) of %s certificate, subject %s, or set tls.certManager.enabled to let cert-manager issue all of them" $field (index . 2) (index . 3)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
