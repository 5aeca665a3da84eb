using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Providers;

/// <summary>
/// All configured accounts and one HTTP client per account. A task's <c>provider</c> names an account;
/// the account's <c>Type</c> picks the protocol.
/// </summary>
internal sealed class ProviderDirectory : IDisposable
{
    private readonly Dictionary<string, ProviderAccount> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (HttpClient Http, IProviderClient Client)> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private IPermitGate _gate = OpenGate.Instance;
    private Func<string, Chanjing.IChanjingTokens>? _sharedTokens;
    private readonly Dictionary<string, HttpClient> _http = new(StringComparer.OrdinalIgnoreCase);

    public ProviderDirectory(OrchestratorOptions options, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        var configured = new Dictionary<string, ProviderAccountOptions>(options.Providers, StringComparer.OrdinalIgnoreCase);
        // The simulator is on by default, needing no keys.
        configured.TryAdd(ProviderTypes.Simulator, new ProviderAccountOptions { Qps = 50 });
        foreach (var (name, o) in configured)
        {
            var typeName = string.IsNullOrWhiteSpace(o.Type) ? name : o.Type;
            if (!ProviderTypes.All.TryGetValue(typeName, out var type)) continue; // unknown types are reported by Validate
            _accounts[name] = Resolve(name, type, o);
        }
        Redactor = new CredentialRedactor(configured.Values.SelectMany(o => new[] { o.ApiKey, o.AccessKey, o.SecretKey }));
        UnknownTypes = configured
            .Where(kv => !ProviderTypes.All.ContainsKey(string.IsNullOrWhiteSpace(kv.Value.Type) ? kv.Key : kv.Value.Type))
            .Select(kv => kv.Key).ToList();
    }

    /// <summary>Takes every account's credentials (and credential-like text) out of provider messages before they are stored.</summary>
    public CredentialRedactor Redactor { get; }

    /// <summary>Accounts whose type is not known: kept out, reported at start-up.</summary>
    public IReadOnlyList<string> UnknownTypes { get; }

    public IEnumerable<ProviderAccount> Accounts => _accounts.Values;

    /// <summary>The orchestrator's clock, shared by the clients and throttles of these accounts.</summary>
    public TimeProvider Clock => _clock;

    public ProviderAccount? Find(string name) => _accounts.GetValueOrDefault(name);

    /// <summary>Clients that make calls of their own (token refreshes) take permits through this gate.</summary>
    public void UsePermitGate(IPermitGate gate) => _gate = gate;

    /// <summary>
    /// Cluster mode: Chanjing clients ask the account's one token owner in the cluster through this instead of fetching
    /// tokens of their own (a new token invalidates the others'). Set before the first client is made.
    /// </summary>
    public void UseSharedChanjingTokens(Func<string, Chanjing.IChanjingTokens> tokens) => _sharedTokens = tokens;

    public IProviderClient ClientFor(string accountName)
    {
        lock (_lock)
        {
            if (_clients.TryGetValue(accountName, out var existing)) return existing.Client;
            var client = RedactingProviderClient.Around(_accounts[accountName].Type.CreateClient(ContextLocked(accountName)), Redactor);
            _clients[accountName] = (_http[accountName], client);
            return client;
        }
    }

    /// <summary>What a client of the account is made from (its HTTP client is the account's one): for the cluster's token owner.</summary>
    public ProviderClientContext ContextFor(string accountName)
    {
        lock (_lock) return ContextLocked(accountName);
    }

    private ProviderClientContext ContextLocked(string accountName)
    {
        var account = _accounts[accountName];
        if (!account.Enabled) throw new InvalidOperationException(account.DisabledReason);
        if (!_http.TryGetValue(accountName, out var http))
        {
            http = _http[accountName] = new HttpClient(ProviderHttp.CreateHandler())
            {
                BaseAddress = account.BaseUrl,
                Timeout = TimeSpan.FromSeconds(account.Options.RequestTimeoutSeconds),
            };
        }
        return new ProviderClientContext(account, http, _clock, _gate, _sharedTokens);
    }

    private static ProviderAccount Resolve(string name, ProviderType type, ProviderAccountOptions o)
    {
        string? reason = null;
        if (!o.Enabled) reason = $"Provider account '{name}' is disabled (Orchestrator:Providers:{name}:Enabled is false).";
        var missing = type.RequiredSettings.FirstOrDefault(s => string.IsNullOrWhiteSpace(SettingOf(o, s)));
        if (reason is null && missing is not null)
            reason = $"Provider account '{name}' is not configured: set Orchestrator:Providers:{name}:{missing}.";
        var url = string.IsNullOrWhiteSpace(o.BaseUrl) ? type.DefaultBaseUrl(o) : o.BaseUrl;
        Uri? baseUrl = null;
        if (reason is null && (url is null || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out baseUrl)))
            reason = $"Provider account '{name}' has no valid base URL: set Orchestrator:Providers:{name}:BaseUrl.";
        if (reason is null && o.Qps <= 0)
            reason = $"Provider account '{name}' has a non-positive rate: set Orchestrator:Providers:{name}:Qps.";
        if (reason is null && ProviderAccount.UnknownExtraModelKinds(type, o) is [var kind, ..])
            reason = $"Provider account '{name}' lists models for '{kind}' in Orchestrator:Providers:{name}:ExtraModels; "
                + $"its kinds are {string.Join(", ", type.Rules.Kinds.Select(k => k.WireName()))}.";
        return new ProviderAccount(name, type, o, baseUrl, reason);
    }

    private static string? SettingOf(ProviderAccountOptions o, string setting) => setting switch
    {
        "ApiKey" => o.ApiKey,
        "AccessKey" => o.AccessKey,
        "SecretKey" => o.SecretKey,
        "AppId" => o.AppId,
        _ => null,
    };

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var http in _http.Values) http.Dispose();
            _http.Clear();
            _clients.Clear();
        }
    }
}
