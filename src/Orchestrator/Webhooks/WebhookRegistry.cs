using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Orchestrator.Persistence;
using Orchestrator.Secrets;

namespace Orchestrator.Webhooks;

/// <summary>
/// The registered webhook endpoints (persistence id <c>webhooks</c>): a thin persistent actor around
/// <see cref="WebhookRegistryState"/>. It runs one <see cref="WebhookDeliverer"/> child per endpoint, plus the built-in
/// <c>task-webhooks</c> one for per-task <c>webhookUrl</c>s and <c>task-states</c> for tasks whose <c>webhookUrl</c>
/// receives every state change, and forwards delivery queries and replays to them.
/// </summary>
internal sealed class WebhookRegistry : ReceivePersistentActor, IWithTimers
{
    public const string RegistryPersistenceId = "webhooks";
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

    private sealed record RestartDeliverer(string Id);

    private readonly WebhookRuntime _rt;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _deliverers = new();
    // Per deliverer: when it last started, and how many times in a row it stopped soon after.
    private readonly Dictionary<string, (DateTimeOffset StartedAt, int QuickStops)> _starts = new();
    private WebhookRegistryState _state = WebhookRegistryState.Empty;
    private string? _taskSecret;
    private byte[] _taskKey = [];
    // Endpoints whose journaled secret the key ring cannot decrypt: shown disabled, nothing delivered, until deleted.
    private readonly HashSet<string> _unreadable = [];

    public ITimerScheduler Timers { get; set; } = null!;

    public WebhookRegistry(WebhookRuntime runtime)
    {
        _rt = runtime;
        JournalPluginId = OrchestratorPersistence.JournalPluginId;
        SnapshotPluginId = OrchestratorPersistence.SnapshotPluginId;

        Recover<IWebhookRegistryEvent>(e => _state = _state.Apply(e, LastSequenceNr));
        Recover<RecoveryCompleted>(_ => Start());

        Command<RegisterWebhook>(Register);
        Command<ListWebhooks>(_ => Sender.Tell(_state.Endpoints.Values.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).Select(ViewOf).ToList()));
        Command<GetWebhook>(q => Sender.Tell(WebhookEndpoint.IsBuiltIn(q.Id) ? BuiltInView(q.Id)
            : _state.Endpoints.TryGetValue(q.Id, out var ep) ? ViewOf(ep) : new WebhookNotFound(q.Id)));
        Command<DeleteWebhook>(Delete);
        Command<EnableWebhook>(Enable);
        Command<DisableWebhook>(Disable);
        Command<ListDeliveries>(q => ForwardTo(q.Id, q));
        Command<ReplayDeliveries>(q => ForwardTo(q.Id, q));
        Command<GetTaskWebhookSecret>(_ => Sender.Tell(new TaskWebhookSecret(_taskSecret!)));
        Command<FlushWebhooks>(_ => Flush());
        // A deliverer stops when the journal refuses a write: start it again (from its journal) after a pause.
        Command<Terminated>(t =>
        {
            if (_deliverers.FirstOrDefault(kv => kv.Value.Equals(t.ActorRef)).Key is not { } id) return;
            _deliverers.Remove(id);
            var delay = NextRestartDelay(id);
            _log.Warning("Webhook {0}: its deliverer stopped; starting it again in {1:0.0} s", id, delay.TotalSeconds);
            Timers.StartSingleTimer("restart-" + id, new RestartDeliverer(id), delay);
        });
        Command<RestartDeliverer>(r =>
        {
            if (_deliverers.ContainsKey(r.Id)) return;
            if (r.Id == WebhookEndpoint.TaskWebhooksId) StartTaskDeliverer();
            else if (r.Id == WebhookEndpoint.TaskStatesId) StartStateDeliverer();
            else if (_state.Endpoints.TryGetValue(r.Id, out var ep)) StartDeliverer(ep);
        });
    }

    public static Props Props(WebhookRuntime runtime) => Akka.Actor.Props.Create(typeof(WebhookRegistry), runtime);

    public override string PersistenceId => RegistryPersistenceId;

    private static WebhookEndpointView BuiltInView(string id) => new(id, null, [WebhookEndpoint.AllEvents], true, null, DateTimeOffset.UnixEpoch);

    private const string UnreadableReason = "its secret cannot be decrypted: the key ring lost its key; delete the endpoint and register it again";

    private WebhookEndpointView ViewOf(WebhookEndpoint ep) =>
        _unreadable.Contains(ep.Id) ? ep.View() with { Enabled = false, DisabledReason = UnreadableReason } : ep.View();

    private void Start()
    {
        // A configured secret wins; otherwise the one generated on first start, kept (encrypted) in the journal.
        if (_rt.Options.TaskWebhookSecret is { Length: > 0 } configured) StartDeliverers(configured);
        else if (_state.GeneratedTaskSecret is { } generated && Reveal(generated) is { } secret) StartDeliverers(secret);
        else
        {
            // Without the key that encrypted the earlier one (a lost key ring), a new one: receivers fetch it again.
            if (_state.GeneratedTaskSecret is not null)
                _log.Error("The generated task-webhook secret cannot be decrypted with the key ring at {0} (lost, or another node's): a new one signs "
                    + "per-task deliveries from now on; receivers take it from GET /v1/webhooks/task-secret", _rt.Secrets.KeyRing);
            var created = WebhookSignature.NewSecret();
            Write(new WebhookTaskSecretCreated(null, _rt.Now, _rt.Secrets.Protect(created)), () => StartDeliverers(created));
        }
    }

    /// <summary>The secret, or null when the key ring cannot decrypt it.</summary>
    private string? Reveal(JournaledSecret secret)
    {
        try { return secret.Reveal(_rt.Secrets); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
    }

    private void StartDeliverers(string taskSecret)
    {
        _taskSecret = taskSecret;
        WebhookSignature.TryParseSecret(taskSecret, out _taskKey);
        StartTaskDeliverer();
        StartStateDeliverer();
        foreach (var ep in _state.Endpoints.Values) StartDeliverer(ep);
        if (_rt.Health.Down is { } outage) _log.Info("Webhook registry running again after {0:0.0} s down", (_rt.Now - outage.Since).TotalSeconds);
        _rt.Health.MarkUp();
    }

    // Akka stops a persistent actor whose write or recovery the journal refused; its backoff supervisor starts it again.
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _rt.Health.MarkDown($"the journal refused a write of the webhook registry ({cause.GetType().Name})");
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _rt.Health.MarkDown($"the webhook registry could not read its journal ({reason.GetType().Name})");
        base.OnRecoveryFailure(reason, message);
    }

    protected override void PostStop()
    {
        if (CoordinatedShutdown.Get(Context.System).ShutdownReason is null) _rt.Health.MarkDown("the webhook registry stopped; it is starting again");
        base.PostStop();
    }

    private void StartTaskDeliverer() =>
        Run(new DeliveryTarget(WebhookEndpoint.TaskWebhooksId, null, [WebhookEndpoint.AllEvents], _taskKey, _rt.Options.MaxInFlightTaskWebhooks, null), enabled: true);

    /// <summary>Every state change of the tasks that ask for them, signed with the task-webhook secret as their ends always were.</summary>
    private void StartStateDeliverer()
    {
        if (_rt.States is null) return;
        Run(new DeliveryTarget(WebhookEndpoint.TaskStatesId, null, [WebhookEndpoint.AllEvents], _taskKey, _rt.Options.MaxInFlightTaskWebhooks, null) { FollowsStates = true },
            enabled: true);
    }

    private void StartDeliverer(WebhookEndpoint ep)
    {
        if (Reveal(ep.Secret) is not { } secret)
        {
            _unreadable.Add(ep.Id);
            _log.Error("Webhook endpoint {0}: its secret cannot be decrypted with the key ring at {1} (lost, or another node's); nothing is delivered "
                + "to it: delete it and register it again", ep.Id, _rt.Secrets.KeyRing);
            return;
        }
        WebhookSignature.TryParseSecret(secret, out var key);
        Run(new DeliveryTarget(ep.Id, ep.Url, ep.Events, key, _rt.Options.MaxInFlightPerEndpoint, ep.RegisteredSeqNr) { Tenant = ep.Tenant }, ep.Enabled);
    }

    private void Run(DeliveryTarget target, bool enabled)
    {
        _starts[target.EndpointId] = (_rt.Now, _starts.GetValueOrDefault(target.EndpointId).QuickStops);
        _deliverers[target.EndpointId] = Context.Watch(Context.ActorOf(WebhookDeliverer.Props(_rt, target, enabled), target.EndpointId));
    }

    /// <summary>
    /// Deliverers stop together when the journal fails under them; started again all at the same moment they would fail
    /// together again. So: 5 s doubling per quick stop in a row (up to 80 s), ±25 % apart; one that ran a minute starts over.
    /// </summary>
    private TimeSpan NextRestartDelay(string id)
    {
        var (startedAt, quickStops) = _starts.GetValueOrDefault(id);
        quickStops = _rt.Now - startedAt > TimeSpan.FromMinutes(1) ? 0 : quickStops + 1;
        _starts[id] = (startedAt, quickStops);
        return RestartDelay * Math.Pow(2, Math.Min(quickStops - 1, 4)) * (0.75 + Random.Shared.NextDouble() / 2);
    }

    private void Register(RegisterWebhook cmd)
    {
        if (_state.Endpoints.TryGetValue(cmd.Id, out var existing)) { Sender.Tell(new WebhookRegistered(ViewOf(existing))); return; }
        // Each endpoint is a deliverer and a journal of its own: a few hundred that refuse every delivery cost every
        // completion as many writes. The cap is checked here, where registrations are taken one at a time.
        var limit = _rt.Options.MaxEndpointsPerTenant;
        if (_state.Endpoints.Values.Count(e => e.Tenant == cmd.Tenant) >= limit) { Sender.Tell(new WebhookLimitReached(cmd.Tenant, limit)); return; }
        var sender = Sender;
        Write(new WebhookEndpointRegistered(cmd.Id, cmd.Url, cmd.Events, null, _rt.Now, cmd.Tenant, _rt.Secrets.Protect(cmd.Secret)), () =>
        {
            var ep = _state.Endpoints[cmd.Id];
            StartDeliverer(ep);
            sender.Tell(new WebhookRegistered(ep.View()));
        });
    }

    private void Delete(DeleteWebhook cmd)
    {
        if (WebhookEndpoint.IsBuiltIn(cmd.Id)) { Sender.Tell(new WebhookBuiltIn(cmd.Id)); return; }
        if (!_state.Endpoints.ContainsKey(cmd.Id)) { Sender.Tell(new WebhookNotFound(cmd.Id)); return; }
        var sender = Sender;
        Write(new WebhookEndpointDeleted(cmd.Id, _rt.Now), () =>
        {
            Timers.Cancel("restart-" + cmd.Id);
            if (_deliverers.Remove(cmd.Id, out var deliverer)) Context.Stop(Context.Unwatch(deliverer));
            _starts.Remove(cmd.Id);
            _unreadable.Remove(cmd.Id);
            sender.Tell(new WebhookDeleted(cmd.Id));
        });
    }

    private void Enable(EnableWebhook cmd)
    {
        if (WebhookEndpoint.IsBuiltIn(cmd.Id)) { Sender.Tell(BuiltInView(cmd.Id)); return; }
        if (!_state.Endpoints.TryGetValue(cmd.Id, out var ep)) { Sender.Tell(new WebhookNotFound(cmd.Id)); return; }
        if (ep.Enabled || _unreadable.Contains(cmd.Id)) { Sender.Tell(ViewOf(ep)); return; }
        var sender = Sender;
        Write(new WebhookEndpointEnabled(cmd.Id, _rt.Now), () =>
        {
            _deliverers.GetValueOrDefault(cmd.Id)?.Tell(new EndpointEnabledChanged(true));
            sender.Tell(_state.Endpoints[cmd.Id].View());
        });
    }

    private void Disable(DisableWebhook cmd)
    {
        if (!_state.Endpoints.TryGetValue(cmd.Id, out var ep) || !ep.Enabled) return;
        Write(new WebhookEndpointDisabled(cmd.Id, cmd.Reason, _rt.Now), () =>
        {
            _log.Warning("Webhook endpoint {0} disabled: {1}. POST /v1/webhooks/{0}/enable turns it on again", cmd.Id, cmd.Reason);
            _deliverers.GetValueOrDefault(cmd.Id)?.Tell(new EndpointEnabledChanged(false));
        });
    }

    private void ForwardTo(string id, object query)
    {
        if (_deliverers.TryGetValue(id, out var deliverer)) deliverer.Forward(query);
        else Sender.Tell(new WebhookNotFound(id));
    }

    private void Flush()
    {
        var sender = Sender;
        Task.WhenAll(_deliverers.Values.Select(d => d.Ask<WebhooksFlushed>(FlushWebhooks.Instance, FlushTimeout)))
            .ContinueWith(_ => WebhooksFlushed.Instance, TaskScheduler.Default)
            .PipeTo(sender);
    }

    private void Write(IWebhookRegistryEvent e, Action then) =>
        Persist(e, _ =>
        {
            _state = _state.Apply(e, LastSequenceNr);
            then();
        });
}
