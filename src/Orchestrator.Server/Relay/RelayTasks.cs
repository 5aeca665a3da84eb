using Orchestrator.Hosting;
using Orchestrator.Server.Api;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Relay;

/// <summary>Why the relay did not accept a create; each style answers it in its own codes.</summary>
public enum RelayRefusalKind
{
    /// <summary>A parameter is wrong (Kling 400/1201, Chanjing 40000).</summary>
    Invalid,
    /// <summary>The key may only read (Kling 403/1103, Chanjing 40000).</summary>
    NotAllowed,
    /// <summary>We cannot take it now: the account's queue is full or the journal is down (Kling 500/5000, Chanjing 50000). Never a rate-limit code: that is the upstream's business, absorbed here.</summary>
    Busy,
    /// <summary>The caller's own relay quota: too many creates per second (Kling 429/1302, Chanjing 40001).</summary>
    RateLimited,
    /// <summary>The caller's own relay quota: too many unfinished tasks (Kling 429/1303, Chanjing 40001).</summary>
    TooManyUnfinished,
}

/// <summary>A refused create: its kind and the message for the client.</summary>
/// <param name="Kind">How to answer it.</param>
/// <param name="Message">What to tell the client (names the provider's field when a field is wrong).</param>
public sealed record RelayRefusal(RelayRefusalKind Kind, string Message);

/// <summary>
/// What every relay style does with tasks: submit as the caller (its tenant stamped, its external id kept per tenant),
/// find by our id or by the client's <c>external_task_id</c>, and hold a query open when the long poll is on. Reads come
/// from the read model: a client polling every second costs the upstream provider nothing.
/// </summary>
public sealed class RelayTasks(IOrchestrator orchestrator, RelayOptions options, RelayQuota quota, IHostApplicationLifetime lifetime)
{
    /// <summary>The idempotency key a client's <c>external_task_id</c> becomes (then scoped to its tenant, as every key is).</summary>
    public static string ExternalIdempotencyKey(string externalTaskId) => "external_task_id:" + externalTaskId;

    /// <summary>Accepts <paramref name="submission"/> for <paramref name="caller"/>, or says why not.</summary>
    public async Task<(TaskView? View, RelayRefusal? Refusal)> SubmitAsync(TaskSubmission submission, ApiCaller caller, RelayStyle style, CancellationToken ct)
    {
        if (!caller.Allows(ApiRole.Submit))
            return (null, new(RelayRefusalKind.NotAllowed, $"key '{caller.Name}' may only read"));
        var (stamped, wrongTenant) = TenantStamp.Apply(submission, caller);
        if (stamped is null) return (null, new(RelayRefusalKind.Invalid, wrongTenant!.Message));
        if (!quota.IsSet) return Answer(await SubmitStampedAsync(stamped, caller, style, ct));
        var tenant = QuotaKey(caller);
        if (quota.TryTake(tenant) is { } overQuota) return (null, overQuota);
        var outcome = (View: (TaskView?)null, Created: false, Refusal: (RelayRefusal?)null);
        try
        {
            outcome = await SubmitStampedAsync(stamped, caller, style, ct);
        }
        finally
        {
            // The place is held until the new task ends; a create that made none (refused, or the same external_task_id
            // again) gives it back now.
            if (outcome is { Created: true, View: { } created }) _ = ReleaseWhenEndedAsync(tenant, created.Id);
            else quota.Release(tenant);
        }
        return Answer(outcome);
    }

    private static (TaskView?, RelayRefusal?) Answer((TaskView? View, bool Created, RelayRefusal? Refusal) outcome) => (outcome.View, outcome.Refusal);

    // The quota counts by tenant; an admin key without one counts by its own name.
    private static string QuotaKey(ApiCaller caller) => caller.Tenant ?? "key:" + caller.Name;

    private async Task ReleaseWhenEndedAsync(string tenant, string taskId)
    {
        try { await orchestrator.WaitForCompletionAsync(taskId, Timeout.InfiniteTimeSpan, lifetime.ApplicationStopping); }
        catch (Exception e) when (e is OperationCanceledException or UnknownTaskException or TimeoutException) { }
        finally { quota.Release(tenant); }
    }

    private async Task<(TaskView? View, bool Created, RelayRefusal? Refusal)> SubmitStampedAsync(TaskSubmission stamped, ApiCaller caller, RelayStyle style, CancellationToken ct)
    {
        try
        {
            var (view, created) = await orchestrator.SubmitAsync(TenantStamp.ScopeIdempotencyKey(stamped, caller), ct);
            return (view, created, null);
        }
        catch (TaskValidationException e)
        {
            var first = e.Errors[0];
            var field = RelaySubmissions.ProviderField(first.Field, style);
            return (null, false, new(RelayRefusalKind.Invalid, field.Length == 0 ? first.Message : $"{field}: {first.Message}"));
        }
        catch (IdempotencyConflictException)
        {
            return (null, false, new(RelayRefusalKind.Invalid, "external_task_id already exists"));
        }
        catch (QueueFullException e)
        {
            return (null, false, new(RelayRefusalKind.Busy, $"busy, please retry in {e.RetryAfter.TotalSeconds:0} s"));
        }
        catch (JournalUnavailableException e)
        {
            return (null, false, new(RelayRefusalKind.Busy, $"temporarily unavailable, please retry in {e.RetryAfter.TotalSeconds:0} s"));
        }
    }

    /// <summary>The caller's task whose id, or <c>external_task_id</c>, is <paramref name="id"/>; null when it has none (another tenant's counts as none).</summary>
    public async Task<TaskView?> FindAsync(string id, ApiCaller caller, CancellationToken ct)
    {
        if (id.Length == 0) return null;
        if (await Visible(id, caller, ct) is { } byId) return byId;
        var key = TenantStamp.ScopeIdempotencyKey(new TaskSubmission { IdempotencyKey = ExternalIdempotencyKey(id) }, caller).IdempotencyKey;
        return key is { Length: <= TaskValidator.MaxIdempotencyKeyLength } ? await Visible(TaskIds.ForIdempotencyKey(key), caller, ct) : null;
    }

    /// <summary>
    /// <paramref name="view"/>, or, with the long poll on (<c>HoldQuerySeconds</c>) and the task unfinished, its view once
    /// it ends or the hold passes, whichever comes first.
    /// </summary>
    public async Task<TaskView> HoldAsync(TaskView view, CancellationToken ct)
    {
        if (options.HoldQuerySeconds <= 0 || view.Status.IsTerminal()) return view;
        try
        {
            return await orchestrator.WaitForCompletionAsync(view.Id, TimeSpan.FromSeconds(options.HoldQuerySeconds), ct);
        }
        catch (TimeoutException)
        {
            return await orchestrator.GetAsync(view.Id, ct) ?? view;
        }
        catch (UnknownTaskException)
        {
            return view;
        }
    }

    /// <summary>A page of the caller's relay tasks of <paramref name="style"/> (all, or of <paramref name="kind"/>), newest first.</summary>
    public async Task<(IReadOnlyList<TaskView> Items, int Total)> PageAsync(ApiCaller caller, RelayStyle? style, string? kind, int page, int size, CancellationToken ct)
    {
        // The read model has no column for these filters: walk the tenant's tasks newest first, to the end of the page asked.
        var wanted = (long)page * size;
        var matching = new List<TaskView>();
        string? after = null;
        var total = 0;
        do
        {
            var batch = await orchestrator.ListAsync(new ListTasks(null, null, TaskEndpoints.MaxPageSize, after) { Tenant = caller.Scope }, ct);
            foreach (var v in batch.Items)
            {
                if (style is { } s && v.Metadata?.GetValueOrDefault(RelaySubmissions.StyleKey) != RelaySubmissions.Name(s)) continue;
                if (kind is not null && v.Kind != kind) continue;
                total++;
                if (matching.Count < wanted) matching.Add(v);
            }
            after = batch.NextAfter;
        } while (after is not null && total < wanted + MaxCountedBeyondPage);
        return ([.. matching.Skip((page - 1) * size)], total);
    }

    // How far a page walk counts past the page it was asked for (Chanjing's page_info.total): a bound, not the whole history.
    private const int MaxCountedBeyondPage = 5_000;

    private async Task<TaskView?> Visible(string id, ApiCaller caller, CancellationToken ct) =>
        await orchestrator.GetAsync(id, ct) is { } view && caller.Sees(TenantStamp.Of(view)) ? view : null;
}
