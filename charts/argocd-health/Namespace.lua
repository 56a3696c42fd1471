--   Active (Ready)                   Healthy
--   Pending (e.g. no workspace), Terminating   Progressing
--   QuotaRejected, invalid spec      Degraded
local early = beingDeleted("waiting for the operator to stop its deployments and remove the Kubernetes namespace")
  or notReconciledYet("reconcile this Namespace") or staleStatus() or invalidSpec()
if early ~= nil then return early end

local status = obj.status
local ready = condition("Ready")
if status.phase == "Active" and ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = messageOf(ready, "Active") }
end
if status.phase == "QuotaRejected" then
  return { status = "Degraded", message = messageOf(condition("QuotaAccepted"), messageOf(ready, "The quota exceeds the free capacity of the workspace")) }
end
return { status = "Progressing", message = tostring(status.phase) .. ": " .. messageOf(ready, "waiting for the operator") }
