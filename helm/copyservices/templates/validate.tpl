{{/*
Checks that values.schema.json cannot express: they depend on each other or on the cluster's APIs.
Rendered from every manifest's first line through "copyservices.validate", so a wrong combination
fails the whole install before anything is sent to the cluster.
*/}}
{{- define "copyservices.validate" -}}
{{- $tls := .Values.tls -}}
{{- if and $tls.existingSecret $tls.certManager.enabled -}}
{{- fail "tls: set either tls.existingSecret or tls.certManager.enabled, not both" -}}
{{- end -}}
{{- if and $tls.certManager.enabled (not (.Capabilities.APIVersions.Has "cert-manager.io/v1")) -}}
{{- fail "tls.certManager.enabled: the cluster does not serve cert-manager.io/v1; install cert-manager first, or give tls.existingSecret" -}}
{{- end -}}
{{- if and $tls.certManager.enabled (not $tls.certManager.issuerRef.name) -}}
{{- fail "tls.certManager.issuerRef.name: name the Issuer (or ClusterIssuer) that signs the replication certificates" -}}
{{- end -}}
{{- if and .Values.peer.replicationEndpoint (not (include "copyservices.replicationEnabled" .)) -}}
{{- fail "peer.replicationEndpoint: mirroring needs the replication link's TLS material; set tls.existingSecret or tls.certManager.enabled" -}}
{{- end -}}
{{- if and .Values.arrayAgent.replicationHostPort .Values.arrayAgent.replicationAdvertise -}}
{{- fail "arrayAgent.replicationHostPort advertises each agent at its node's IP; leave arrayAgent.replicationAdvertise empty with it" -}}
{{- end -}}
{{- if and .Values.peer.site (eq .Values.peer.site .Values.site) -}}
{{- fail (printf "peer.site: the peer site must be another site than this one (%s)" .Values.site) -}}
{{- end -}}
{{- end -}}
