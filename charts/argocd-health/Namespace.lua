--   Active (Ready)                   Healthy
--   Pending (e.g. no workspace), Terminating   Progressing
--   QuotaRejected, invalid spec, Kubernetes namespace not made by Millrace   Degraded
--   the operator's own requests refused by RBAC (condition OperatorForbidden True)   Degraded
local early = beingDeleted("waiting for the operator to stop its deployments and remove the Kubernetes namespace")
  or operatorForbidden() or notReconciledYet("reconcile this Namespace") or staleStatus() or invalidSpec()
if early ~= nil then return early end

local status = obj.status
local ready = condition("Ready")
-- A Kubernetes namespace of the same name that Millrace did not make is never taken over.
local kubernetesNamespace = condition("KubernetesNamespace")
if kubernetesNamespace ~= nil and kubernetesNamespace.reason == "KubernetesNamespaceNotOwned" then
  return { status = "Degraded", message = messageOf(kubernetesNamespace, "The Kubernetes namespace exists and was not made by Millrace") }
end
if kubernetesNamespace ~= nil and kubernetesNamespace.reason == "KubernetesNamespaceTerminating" then
  return { status = "Progressing", message = messageOf(kubernetesNamespace, "The Kubernetes namespace is being deleted") }
end
if status.phase == "Active" and ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = messageOf(ready, "Active") }
end
if status.phase == "QuotaRejected" then
  return { status = "Degraded", message = messageOf(condition("QuotaAccepted"), messageOf(ready, "The quota exceeds the free capacity of the workspace")) }
end
return { status = "Progressing", message = tostring(status.phase) .. ": " .. messageOf(ready, "waiting for the operator") }
