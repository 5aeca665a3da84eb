using System.Security.Cryptography;
using Akka.Actor;
using Akka.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Webhooks;

/// <summary>A new endpoint and its secret: the only time the secret is handed out.</summary>
internal sealed record WebhookRegistration(WebhookEndpointView Endpoint, string Secret)
{
    public override string ToString() => $"{nameof(WebhookRegistration)} {{ Id = {Endpoint.Id} }}";
}

/// <summary>What a replay came to.</summary>
internal enum ReplayStatus
{
    /// <summary><c>Count</c> deliveries start a new schedule now.</summary>
    Replayed,
    /// <summary>No such endpoint.</summary>
    EndpointNotFound,
    /// <summary>The endpoint keeps no pending or failed delivery with that event id.</summary>
    DeliveryNotFound,
}

/// <summary>A registration was refused; <see cref="Errors"/> names each field. Nothing was persisted.</summary>
internal sealed class WebhookValidationException(IReadOnlyList<FieldError> errors)
    : Exception("Invalid webhook registration: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>A tenant has as many endpoints as it may (<see cref="WebhookOptions.MaxEndpointsPerTenant"/>). Nothing was persisted.</summary>
internal sealed class WebhookLimitException(int limit)
    : Exception($"At most {limit} webhook endpoints per tenant (Orchestrator:Webhooks:MaxEndpointsPerTenant); delete one first.")
{
    public int Limit { get; } = limit;
}

/// <summary>Webhook endpoints as a host uses them (the HTTP API is a thin layer over these calls).</summary>
internal sealed class WebhookSubscriptions(IRequiredActor<WebhookRegistry> registry, WebhookOptions options, WebhookHealth health)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Validates and registers an endpoint; the returned secret is not shown again. With <paramref name="tenant"/> it
    /// receives that tenant's completions only.
    /// </summary>
    /// <exception cref="WebhookValidationException">A field is invalid.</exception>
    /// <exception cref="WebhookLimitException">The tenant has <see cref="WebhookOptions.MaxEndpointsPerTenant"/> endpoints already.</exception>
    public async Task<WebhookRegistration> RegisterAsync(WebhookRegistrationRequest request, CancellationToken ct = default, string? tenant = null)
    {
        var (events, errors) = Validate(request, options.AllowPrivateTargets, options.AllowLoopbackTargets == true);
        if (errors.Count > 0) throw new WebhookValidationException(errors);
        var secret = request.Secret ?? WebhookSignature.NewSecret();
        var id = "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return await AskAsync<object>(new RegisterWebhook(id, request.Url!, events, secret, tenant), ct) switch
        {
            WebhookRegistered reply => new WebhookRegistration(reply.View, secret),
            WebhookLimitReached limit => throw new WebhookLimitException(limit.Limit),
            var other => throw new InvalidOperationException($"Unexpected answer {other.GetType().Name} to a registration."),
        };
    }

    /// <summary>The registered endpoints, oldest first.</summary>
    public Task<List<WebhookEndpointView>> ListAsync(CancellationToken ct = default) => AskAsync<List<WebhookEndpointView>>(new ListWebhooks(), ct);

    /// <summary>One endpoint (<c>task-webhooks</c> is the built-in one for per-task URLs), or null.</summary>
    public async Task<WebhookEndpointView?> GetAsync(string id, CancellationToken ct = default) =>
        await AskAsync<object>(new GetWebhook(id), ct) as WebhookEndpointView;

    /// <summary>Removes an endpoint. Null when unknown; false for the built-in one, which cannot be removed.</summary>
    public async Task<bool?> DeleteAsync(string id, CancellationToken ct = default) => await AskAsync<object>(new DeleteWebhook(id), ct) switch
    {
        WebhookDeleted => true,
        WebhookBuiltIn => false,
        _ => null,
    };

    /// <summary>Turns a disabled endpoint on again: deliveries resume where they stopped. Null when unknown.</summary>
    public async Task<WebhookEndpointView?> EnableAsync(string id, CancellationToken ct = default) =>
        await AskAsync<object>(new EnableWebhook(id), ct) as WebhookEndpointView;

    /// <summary>Pending and failed deliveries, oldest first; <paramref name="state"/> <c>pending</c> or <c>failed</c> narrows them. Null when unknown.</summary>
    public async Task<IReadOnlyList<WebhookDeliveryView>?> DeliveriesAsync(string id, string? state = null, CancellationToken ct = default) =>
        (await AskAsync<object>(new ListDeliveries(id, state), ct) as DeliveryList)?.Items;

    /// <summary>Replays one kept delivery, or (<paramref name="eventId"/> null) every failed one, with a new schedule starting now.</summary>
    public async Task<(ReplayStatus Status, int Count)> ReplayAsync(string id, string? eventId = null, CancellationToken ct = default) =>
        await AskAsync<object>(new ReplayDeliveries(id, eventId), ct) switch
        {
            DeliveriesReplayed r => (ReplayStatus.Replayed, r.Count),
            DeliveryNotFound => (ReplayStatus.DeliveryNotFound, 0),
            _ => (ReplayStatus.EndpointNotFound, 0),
        };

    /// <summary>The secret that signs deliveries to per-task <c>webhookUrl</c>s.</summary>
    public async Task<string> TaskSecretAsync(CancellationToken ct = default) => (await AskAsync<TaskWebhookSecret>(new GetTaskWebhookSecret(), ct)).Secret;

    /// <summary>The events filter as stored (<c>*</c> alone for everything) and the rejected fields.</summary>
    public static (IReadOnlyList<string> Events, IReadOnlyList<FieldError> Errors) Validate(WebhookRegistrationRequest r, bool allowPrivateTargets, bool allowLoopbackTargets = false)
    {
        var errors = new List<FieldError>();
        if (WebhookTargetPolicy.Check(r.Url, allowPrivateTargets, allowLoopbackTargets) is { } urlError) errors.Add(new FieldError("url", urlError));
        IReadOnlyList<string> events = [WebhookEndpoint.AllEvents];
        if (r.Events is { Count: > 0 } asked)
        {
            var unknown = asked.FirstOrDefault(e => e != WebhookEndpoint.AllEvents && !WebhookEndpoint.EventTypes.Contains(e));
            if (asked.Any(e => e != WebhookEndpoint.AllEvents && !WebhookEndpoint.EventTypes.Contains(e)))
                errors.Add(new FieldError("events", $"Each one of: {WebhookEndpoint.AllEvents}, {string.Join(", ", WebhookEndpoint.EventTypes)} (not '{unknown}')."));
            else if (!asked.Contains(WebhookEndpoint.AllEvents)) events = asked.Distinct().ToList();
        }
        if (r.Secret is not null && !WebhookSignature.TryParseSecret(r.Secret, out _))
            errors.Add(new FieldError("secret", $"whsec_ followed by the base64 of {WebhookSignature.MinKeyBytes} to {WebhookSignature.MaxKeyBytes} random bytes."));
        return (events, errors);
    }

    /// <exception cref="WebhookRegistryUnavailableException">The registry is down (its journal refused a write) and starting again.</exception>
    private async Task<T> AskAsync<T>(object message, CancellationToken ct)
    {
        // A message sent while it is down would wait out the ask timeout for nothing.
        if (health.Down is { } outage) throw new WebhookRegistryUnavailableException(outage);
        return await (await registry.GetAsync(ct)).Ask<T>(message, AskTimeout, ct);
    }
}
