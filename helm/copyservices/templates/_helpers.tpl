{{/*
Prefix of the namespaced objects: fullnameOverride, else the release name. Cut to leave room for
the longest suffix ("-csi-controller") within a 63-character name.
*/}}
{{- define "copyservices.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 45 | trimSuffix "-" -}}
{{- end -}}

{{/* The CSI driver's name; fixed, since volumes and the operator refer to it. */}}
{{- define "copyservices.csiDriverName" -}}
block.copyservices.dev
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "copyservices.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: copyservices
copyservices.dev/site: {{ .Values.site }}
{{- end -}}

{{/* Selector labels of one component: include "copyservices.selectorLabels" (list . "operator") */}}
{{- define "copyservices.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ $root.Chart.Name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* All labels of one component's objects: include "copyservices.componentLabels" (list . "operator") */}}
{{- define "copyservices.componentLabels" -}}
{{ include "copyservices.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* An image reference: include "copyservices.image" (list . .Values.images.operator) */}}
{{- define "copyservices.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 1 -}}
{{- $registry := $root.Values.images.registry -}}
{{- $tag := default $root.Chart.AppVersion $image.tag -}}
{{- if $registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $registry) $image.repository $tag }}
{{- else -}}
{{ printf "%s:%s" $image.repository $tag }}
{{- end -}}
{{- end -}}

{{/* A sidecar image reference: include "copyservices.sidecarImage" .Values.csi.sidecars.provisioner */}}
{{- define "copyservices.sidecarImage" -}}
{{ printf "%s:%s" .image .tag }}
{{- end -}}

{{- define "copyservices.imagePullSecrets" -}}
{{- with .Values.images.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The ServiceAccount of a component: include "copyservices.serviceAccountName" (list . "operator") */}}
{{- define "copyservices.serviceAccountName" -}}
{{ include "copyservices.fullname" (index . 0) }}-{{ index . 1 }}
{{- end -}}

{{/* Name of the cluster-scoped RBAC objects of a component: they carry the namespace too, so that
releases in two namespaces of one cluster do not overwrite each other's. */}}
{{- define "copyservices.clusterRoleName" -}}
{{- $root := index . 0 -}}
{{ printf "%s:%s:%s" $root.Release.Namespace (include "copyservices.fullname" $root) (index . 1) }}
{{- end -}}

{{- define "copyservices.replicationServiceName" -}}
{{ include "copyservices.fullname" . }}-replication
{{- end -}}

{{/* Whether the components use TLS: always, unless insecureDev. */}}
{{- define "copyservices.tlsEnabled" -}}
{{- if not .Values.insecureDev -}}true{{- end -}}
{{- end -}}

{{/*
The Secret (tls.crt, tls.key, ca.crt) of a component's TLS identity, "array-agent", "operator" or
"csi": the one named in values, else the one cert-manager issues.
include "copyservices.tlsSecretName" (list . "operator")
*/}}
{{- define "copyservices.tlsSecretName" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $tls := $root.Values.tls -}}
{{- $given := get (dict "array-agent" $tls.existingSecret "operator" $tls.operatorSecret "csi" $tls.csiSecret) $component -}}
{{- if $given -}}
{{ $given }}
{{- else -}}
{{ include "copyservices.fullname" $root }}-{{ $component }}-tls
{{- end -}}
{{- end -}}

{{/* Where each component finds its TLS files (the whole Secret, not subPaths, so that the kubelet
updates the files when the certificate is renewed). */}}
{{- define "copyservices.tlsDir" -}}
/etc/copyservices/tls
{{- end -}}

{{/* The volume of a component's TLS Secret: include "copyservices.tlsVolume" (list . "operator") */}}
{{- define "copyservices.tlsVolume" -}}
- name: tls
  secret:
    secretName: {{ include "copyservices.tlsSecretName" . }}
    # readable by the pod's fsGroup (the non-root components) and root, not by others
    defaultMode: 0440
{{- end -}}

{{/* The read-only mount of that volume. */}}
{{- define "copyservices.tlsVolumeMount" -}}
- name: tls
  mountPath: {{ include "copyservices.tlsDir" . }}
  readOnly: true
{{- end -}}

{{/* The CSI driver's TLS flags (or --insecure-dev), for its controller and node containers. */}}
{{- define "copyservices.csiTlsArgs" -}}
{{- if include "copyservices.tlsEnabled" . -}}
{{- $dir := include "copyservices.tlsDir" . -}}
- --tls-cert={{ $dir }}/tls.crt
- --tls-key={{ $dir }}/tls.key
- --tls-ca={{ $dir }}/ca.crt
{{- else -}}
- --insecure-dev
{{- end -}}
{{- end -}}

{{/* Whether the agents have a replication listener: a site with a peer, never without TLS. */}}
{{- define "copyservices.replicationEnabled" -}}
{{- if and .Values.peer.site (include "copyservices.tlsEnabled" .) -}}true{{- end -}}
{{- end -}}

{{/* The host part of HOST:PORT or [IPv6]:PORT. */}}
{{- define "copyservices.endpointHost" -}}
{{- $hostPort := . -}}
{{- if hasPrefix "[" $hostPort -}}
{{ trimPrefix "[" (index (splitList "]" $hostPort) 0) }}
{{- else -}}
{{ index (splitList ":" $hostPort) 0 }}
{{- end -}}
{{- end -}}

{{/* The pod securityContext and container securityContext of the non-root components. */}}
{{- define "copyservices.restrictedContainer" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}
