{{/* Names, labels and the exporter's command line, shared by the templates. */}}

{{- define "cse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "cse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cse.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "cse.sharded" -}}
{{- if gt (int .Values.sharding.shards) 1 }}true{{ end -}}
{{- end -}}

{{/* The scheme Prometheus and the probes use. */}}
{{- define "cse.scheme" -}}
{{- if and .Values.webConfig.existingSecret .Values.webConfig.tls }}https{{ else }}http{{ end -}}
{{- end -}}

{{/* Refusals that would otherwise give a pod that cannot work. */}}
{{- define "cse.validate" -}}
{{- if and .Values.cloudflare.existingSecret .Values.cloudflare.configSecret -}}
{{- fail "cloudflare.existingSecret and cloudflare.configSecret are exclusive: put every token in the config file's credentials" -}}
{{- end -}}
{{- if and (gt (int .Values.replicas) 1) (le (int .Values.sharding.shards) 1) .Values.state.persistence.enabled -}}
{{- fail "replicas > 1 with state.persistence.enabled: the pods would share one ReadWriteOnce volume and write the same state file; use sharding.shards (a volume per pod) or one replica" -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled .Values.serviceMonitor.basicAuth (ne (include "cse.scheme" .) "https") -}}
{{- fail "serviceMonitor.basicAuth needs TLS (webConfig.existingSecret with webConfig.tls): over plain HTTP the password travels in clear text" -}}
{{- end -}}
{{- /* The exporter reads one --config.file: the chart cannot add to a file it never sees. */ -}}
{{- if and .Values.cloudflare.configSecret .Values.idpMetadata.sources -}}
{{- fail "idpMetadata.sources cannot be used with cloudflare.configSecret: the exporter reads one --config.file, the one in that Secret. Put the list into that file instead, under identity_provider_metadata: (keys account, identity_provider, url, entity_id), and leave idpMetadata.sources empty" -}}
{{- end -}}
{{- if and .Values.idpMetadata.caSecret .Values.idpMetadata.caConfigMap -}}
{{- fail "idpMetadata.caSecret and idpMetadata.caConfigMap are exclusive: put every CA certificate in one PEM file" -}}
{{- end -}}
{{- $seen := dict -}}
{{- range .Values.idpMetadata.sources -}}
{{- $key := printf "%s/%s" .account .identityProvider -}}
{{- if hasKey $seen $key -}}
{{- fail (printf "idpMetadata.sources lists account %s with identityProvider %q twice: the exporter would refuse to start" .account .identityProvider) -}}
{{- end -}}
{{- $_ := set $seen $key true -}}
{{- end -}}
{{- end -}}

{{/* Whether the exporter may read IdP metadata: sources here, a config file
that may list them, or a CA for their URLs. */}}
{{- define "cse.idpMetadata" -}}
{{- $m := .Values.idpMetadata -}}
{{- if or $m.sources .Values.cloudflare.configSecret $m.caSecret $m.caConfigMap }}true{{ end -}}
{{- end -}}

{{/* The config file of idpMetadata.sources, in the exporter's own keys. */}}
{{- define "cse.idpMetadataConfig" -}}
{{- $entries := list -}}
{{- range .Values.idpMetadata.sources -}}
{{- $entry := dict "account" .account "identity_provider" .identityProvider "url" .url -}}
{{- with .entityId }}{{ $_ := set $entry "entity_id" . }}{{ end -}}
{{- $entries = append $entries $entry -}}
{{- end -}}
{{- toYaml (dict "identity_provider_metadata" $entries) -}}
{{- end -}}

{{/* The ports other than 443 of the metadata URLs (PingFederate: 9031), for the NetworkPolicy. */}}
{{- define "cse.idpMetadataPorts" -}}
{{- $ports := list -}}
{{- range .Values.idpMetadata.sources -}}
{{- $port := regexFind ":[0-9]+$" (urlParse .url).host | trimPrefix ":" -}}
{{- if and $port (ne $port "443") -}}
{{- $ports = append $ports $port -}}
{{- end -}}
{{- end -}}
{{- toJson ($ports | uniq | sortAlpha) -}}
{{- end -}}
