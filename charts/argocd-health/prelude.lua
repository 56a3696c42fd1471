-- The helpers every kind's check shares (charts/argocd-health/prelude.lua). Each returns the
-- health to report, or nil when it has nothing to say, so a check can chain them with `or`.
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
-- Progressing while the object is being deleted. With waitsFor (kinds the operator tears down in
-- steps) it says what the deletion waits for: the Ready message once the phase is Terminating.
local function beingDeleted(waitsFor)
  if obj.metadata.deletionTimestamp == nil then return nil end
  if waitsFor == nil then return { status = "Progressing", message = "Being deleted" } end
  if obj.status ~= nil and obj.status.phase == "Terminating" then waitsFor = messageOf(condition("Ready"), waitsFor) end
  return { status = "Progressing", message = "Being deleted: " .. waitsFor }
end
-- Progressing until the operator has written a status: "Waiting for the Millrace operator to <firstStep>".
local function notReconciledYet(firstStep)
  if obj.status == nil or obj.status.observedGeneration == nil then
    return { status = "Progressing", message = "Waiting for the Millrace operator to " .. firstStep }
  end
  return nil
end
-- Progressing while the status describes an older generation of the spec (call after notReconciledYet).
local function staleStatus()
  local observed = obj.status.observedGeneration
  if obj.metadata.generation ~= nil and observed < obj.metadata.generation then
    return { status = "Progressing", message = "Waiting for the Millrace operator: status is of generation " .. tostring(observed) .. ", the spec is at generation " .. tostring(obj.metadata.generation) }
  end
  return nil
end
-- Degraded when the operator refused the spec (condition Ready with reason InvalidSpec).
local function invalidSpec()
  local ready = condition("Ready")
  if ready ~= nil and ready.reason == "InvalidSpec" then
    return { status = "Degraded", message = messageOf(ready, "The spec is invalid") }
  end
  return nil
end
-- Degraded when the API server keeps refusing the operator's own requests for the object
-- (condition OperatorForbidden True: its RBAC, not the object, is wrong; the message says what).
local function operatorForbidden()
  local forbidden = condition("OperatorForbidden")
  if forbidden ~= nil and forbidden.status == "True" then
    return { status = "Degraded", message = "Operator forbidden: " .. messageOf(forbidden, "the API server refuses the operator's requests") }
  end
  return nil
end
