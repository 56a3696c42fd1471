-- Argo CD health of millrace.dev/Workspace. Only Lua's base and table libraries: Argo CD runs
-- custom health checks without the string library.
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

local status = obj.status
if obj.metadata.deletionTimestamp ~= nil then
  local detail = "waiting for the operator to delete its namespaces first"
  if status ~= nil and status.phase == "Terminating" then detail = messageOf(condition("Ready"), detail) end
  return { status = "Progressing", message = "Being deleted: " .. detail }
end
if status == nil or status.observedGeneration == nil then
  return { status = "Progressing", message = "Waiting for the Millrace operator to reconcile this Workspace" }
end
if obj.metadata.generation ~= nil and status.observedGeneration < obj.metadata.generation then
  return { status = "Progressing", message = "Waiting for the Millrace operator: status is of generation " .. tostring(status.observedGeneration) .. ", the spec is at generation " .. tostring(obj.metadata.generation) }
end

local ready = condition("Ready")
if ready ~= nil and ready.reason == "InvalidSpec" then
  return { status = "Degraded", message = messageOf(ready, "The spec is invalid") }
end
if status.phase == "Ready" and ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = messageOf(ready, "Storage reachable") }
end
if status.phase == "StorageUnavailable" then
  return { status = "Degraded", message = "Storage unavailable: " .. messageOf(condition("StorageReady"), messageOf(ready, "the S3 check failed")) }
end
return { status = "Progressing", message = messageOf(ready, "Phase " .. tostring(status.phase)) }
