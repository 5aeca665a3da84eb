namespace Orchestrator.Server.Security;

/// <summary>
/// One API key (<c>Orchestrator:ApiKeys:0</c>, or <c>Orchestrator__ApiKeys__0__Key</c> and so on as environment
/// variables). A request sends it as <c>Authorization: Bearer &lt;Key&gt;</c>.
/// </summary>
public sealed class ApiKeyOptions
{
    /// <summary>Who holds the key, for the operator (never the key itself).</summary>
    public string? Name { get; set; }

    /// <summary>The secret the caller sends. Kept in memory only as its SHA-256.</summary>
    public string? Key { get; set; }

    /// <summary>The tenant the key acts for: its tasks, batches, events and webhooks. Required for <c>submit</c> and <c>read</c> keys.</summary>
    public string? Tenant { get; set; }

    /// <summary><c>admin</c>, <c>submit</c> or <c>read</c>.</summary>
    public string? Role { get; set; }

    /// <summary>Never the key.</summary>
    public override string ToString() => $"ApiKey {{ Name = {Name}, Tenant = {Tenant}, Role = {Role} }}";
}

/// <summary>What a key may do; each role may do what the roles below it may.</summary>
public enum ApiRole
{
    /// <summary>GET only, within its tenant.</summary>
    Read,
    /// <summary>Also submits and cancels tasks and batches and manages webhooks, within its tenant.</summary>
    Submit,
    /// <summary>Everything, every tenant's tasks included, and what changes the server's behaviour.</summary>
    Admin,
}

/// <summary>
/// Who is calling: the holder of a configured key, or <see cref="Operator"/> when the server runs without keys
/// (on loopback only). Handlers take it as a parameter (bound by <see cref="BindAsync"/>).
/// </summary>
/// <param name="Name">The key's name.</param>
/// <param name="Role">What it may do.</param>
/// <param name="Tenant">The tenant it acts for; null for an admin key without one.</param>
public sealed record ApiCaller(string Name, ApiRole Role, string? Tenant)
{
    /// <summary>The caller of a server without keys: everything is allowed, as before keys existed.</summary>
    public static readonly ApiCaller Operator = new("operator", ApiRole.Admin, null);

    /// <summary>An admin sees every tenant's tasks, batches, events and webhooks.</summary>
    public bool SeesEveryTenant => Role == ApiRole.Admin;

    /// <summary>The tenant a list, stream or filter is narrowed to: null (all) for an admin.</summary>
    public string? Scope => SeesEveryTenant ? null : Tenant;

    /// <summary>Whether something of <paramref name="tenant"/> is visible to this caller (others' things are answered 404).</summary>
    public bool Sees(string? tenant) => SeesEveryTenant || tenant is not null && tenant == Tenant;

    /// <summary>Whether this caller's role covers <paramref name="required"/>.</summary>
    public bool Allows(ApiRole required) => Role >= required;

    /// <summary>Binds a handler's <see cref="ApiCaller"/> parameter to the caller <see cref="ApiKeyAuthentication"/> found.</summary>
    public static ValueTask<ApiCaller?> BindAsync(HttpContext http) => ValueTask.FromResult<ApiCaller?>(http.Caller());
}
