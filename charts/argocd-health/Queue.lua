--   Active (Ready)                   Healthy (and says how many deployments wait for capacity)
--   Pending                          Progressing
--   QuotaRejected, invalid spec      Degraded
--   the operator's own requests refused by RBAC (condition OperatorForbidden True)   Degraded
local early = beingDeleted() or operatorForbidden() or notReconciledYet("reconcile this Queue") or staleStatus() or invalidSpec()
if early ~= nil then return early end

local status = obj.status
local ready = condition("Ready")
if status.phase == "Active" and ready ~= nil and ready.status == "True" then
  local message = messageOf(ready, "Active")
  if status.queuedDeployments ~= nil and status.queuedDeployments > 0 then
    message = message .. "; " .. tostring(status.queuedDeployments) .. " deployment(s) waiting for capacity"
  end
  return { status = "Healthy", message = message }
end
if status.phase == "QuotaRejected" then
  return { status = "Degraded", message = messageOf(ready, "The queue asks for more CU than the namespace quota leaves") }
end
return { status = "Progressing", message = tostring(status.phase) .. ": " .. messageOf(ready, "waiting for the operator") }
