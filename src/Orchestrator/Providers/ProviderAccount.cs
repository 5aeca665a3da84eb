using Orchestrator.Hosting;

namespace Orchestrator.Providers;

/// <summary>
/// A configured provider account, resolved from <see cref="ProviderAccountOptions"/>. <see cref="DisabledReason"/>
/// names the missing setting when the account cannot be used. Its <c>ToString</c> leaves credentials out.
/// </summary>
public sealed record ProviderAccount(string Name, ProviderType Type, ProviderAccountOptions Options, Uri? BaseUrl, string? DisabledReason)
{
    public bool Enabled => DisabledReason is null;

    public override string ToString() => $"{Name} ({Type.Name}, {BaseUrl}, {Options.Qps} QPS)";
}
