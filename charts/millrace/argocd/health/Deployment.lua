-- Argo CD health of millrace.dev/Deployment. Only Lua's base and table libraries: Argo CD runs
-- custom health checks without the string library.
--   Running (Ready)                  Healthy
--   Finished (bounded job done)      Healthy
--   Queued, Starting, Upgrading      Progressing (Queued starts by itself when its queue has room)
--   Suspended, Cancelled             Suspended (stopped on request, CU freed)
--   Failed, invalid spec, a change that cannot be rolled out   Degraded
local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then return c end
  end
  return nil
end
local function messageOf(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then return c.message end
  return fallback
end

if obj.metadata.deletionTimestamp ~= nil then
  return { status = "Progressing", message = "Being deleted" }
end
local status = obj.status
if status == nil or status.observedGeneration == nil then
  return { status = "Progressing", message = "Waiting for the Millrace operator to reconcile this Deployment" }
end
if obj.metadata.generation ~= nil and status.observedGeneration < obj.metadata.generation then
  return { status = "Progressing", message = "Waiting for the Millrace operator: status is of generation " .. tostring(status.observedGeneration) .. ", the spec is at generation " .. tostring(obj.metadata.generation) }
end

local ready = condition("Ready")
if ready ~= nil and ready.reason == "InvalidSpec" then
  return { status = "Degraded", message = messageOf(ready, "The spec is invalid") }
end
local phase = status.phase
local why = status.reason
if why == nil or why == "" then why = messageOf(ready, tostring(phase)) end

if phase == "Running" then
  local blocked = condition("UpgradeBlocked")
  if blocked ~= nil and blocked.status == "True" and blocked.reason ~= "UpgradeStrategyNone" then
    return { status = "Degraded", message = "Running the previous spec: " .. messageOf(blocked, "the change cannot be rolled out") }
  end
  if ready ~= nil and ready.status == "True" then
    local message = "Running"
    if status.job ~= nil and status.job.id ~= nil then message = "Job " .. tostring(status.job.id) .. " running" end
    if status.job ~= nil and status.job.restarts ~= nil and status.job.restarts > 0 then
      message = message .. " (" .. tostring(status.job.restarts) .. " restarts)"
    end
    if blocked ~= nil and blocked.status == "True" then message = message .. "; " .. messageOf(blocked, "a change waits for the next start") end
    return { status = "Healthy", message = message }
  end
  return { status = "Progressing", message = "Running, not ready: " .. messageOf(ready, "waiting for the job") }
end
if phase == "Finished" then
  return { status = "Healthy", message = "Finished: the bounded job completed" }
end
if phase == "Suspended" or phase == "Cancelled" then
  return { status = "Suspended", message = phase .. ": " .. why }
end
if phase == "Failed" then
  return { status = "Degraded", message = "Failed: " .. why }
end
if phase == "Queued" or phase == "Starting" or phase == "Upgrading" then
  return { status = "Progressing", message = phase .. ": " .. why }
end
return { status = "Progressing", message = "Phase " .. tostring(phase) .. ": " .. why }
