using Orchestrator.Tasks;

namespace Orchestrator.Server.Security;

/// <summary>
/// A task's tenant comes from the key that submits it, never from the request: a non-admin key's tenant is written
/// into <c>metadata.tenant</c>, and a request that names another tenant there is refused (400 naming
/// <c>metadata.tenant</c>) rather than silently moved, so a client with the wrong key finds out. An admin key submits
/// for any tenant: <c>metadata.tenant</c> as sent, else its own tenant if it has one.
/// </summary>
public static class TenantStamp
{
    /// <summary>The metadata key that names a task's tenant (it also shares an account's submits fairly).</summary>
    public const string MetadataKey = "tenant";

    /// <summary>The submission with its tenant set for <paramref name="caller"/>, or the error that refuses it.</summary>
    public static (TaskSubmission? Submission, FieldError? Error) Apply(TaskSubmission submission, ApiCaller caller)
    {
        var named = submission.Metadata?.GetValueOrDefault(MetadataKey);
        if (caller.SeesEveryTenant)
            return (named is null && caller.Tenant is { } own ? With(submission, own) : submission, null);
        if (named is not null && named != caller.Tenant)
            return (null, new FieldError($"metadata.{MetadataKey}",
                $"This key submits for tenant '{caller.Tenant}' only; leave metadata.tenant out (it is set from the key) or name that tenant."));
        return (With(submission, caller.Tenant!), null);
    }

    private static TaskSubmission With(TaskSubmission submission, string tenant) =>
        submission with { Metadata = new Dictionary<string, string>(submission.Metadata ?? [], StringComparer.Ordinal) { [MetadataKey] = tenant } };

    /// <summary>The tenant of a task as it was stamped at submit.</summary>
    public static string? Of(TaskView view) => view.Metadata?.GetValueOrDefault(MetadataKey);

    /// <summary>
    /// Idempotency keys are per tenant: one tenant's key never finds, or collides with (a 409 naming the task), another
    /// tenant's task. The key becomes a fixed-length hash of tenant and key; one the validator refuses is left as it is,
    /// so its message still describes what the caller sent.
    /// </summary>
    public static TaskSubmission ScopeIdempotencyKey(TaskSubmission submission, ApiCaller caller) =>
        caller.SeesEveryTenant || submission.IdempotencyKey is not { Length: > 0 and <= TaskValidator.MaxIdempotencyKeyLength } key ? submission
            : submission with { IdempotencyKey = ScopeKey(key, caller) };

    /// <summary>An idempotency key as seen within the caller's tenant (an admin key's is left as sent): a task's, or a batch upload's.</summary>
    public static string ScopeKey(string key, ApiCaller caller) =>
        caller.SeesEveryTenant ? key
            : "tenant-key:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{caller.Tenant}\n{key}")))[..40];
}
