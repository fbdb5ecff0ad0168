{{- define "refusalgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "refusalgate.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "refusalgate.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "refusalgate.labels" -}}
app.kubernetes.io/name: {{ include "refusalgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "refusalgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "refusalgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
