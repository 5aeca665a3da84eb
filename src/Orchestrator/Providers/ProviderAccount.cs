using Orchestrator.Hosting;
using Orchestrator.Tasks;

namespace Orchestrator.Providers;

/// <summary>
/// A configured provider account, resolved from <see cref="ProviderAccountOptions"/>. <see cref="DisabledReason"/>
/// names the missing setting when the account cannot be used. Its <c>ToString</c> leaves credentials out.
/// </summary>
internal sealed record ProviderAccount(string Name, ProviderType Type, ProviderAccountOptions Options, Uri? BaseUrl, string? DisabledReason)
{
    private readonly IReadOnlyDictionary<GenerationKind, IReadOnlyList<string>> _models = ModelsOf(Type.Rules, Options);

    public bool Enabled => DisabledReason is null;

    /// <summary>The models this account takes for <paramref name="kind"/>: its type's documented ones, then its <c>ExtraModels</c>.</summary>
    public IReadOnlyList<string> ModelsFor(GenerationKind kind) => _models.GetValueOrDefault(kind) ?? [];

    /// <summary>Every kind the account's type supports, with its models.</summary>
    public IReadOnlyDictionary<GenerationKind, IReadOnlyList<string>> Models => _models;

    public override string ToString() => $"{Name} ({Type.Name}, {BaseUrl}, {Options.Qps} QPS)";

    /// <summary>The <c>ExtraModels</c> keys that name no kind the type takes (a typo would otherwise drop the models silently).</summary>
    public static IReadOnlyList<string> UnknownExtraModelKinds(ProviderType type, ProviderAccountOptions options) =>
        [.. options.ExtraModels.Keys.Where(k => KindOf(k) is not { } kind || !type.Rules.Kinds.Contains(kind))];

    private static IReadOnlyDictionary<GenerationKind, IReadOnlyList<string>> ModelsOf(ProviderRules rules, ProviderAccountOptions options) =>
        rules.Kinds.ToDictionary(kind => kind, kind => (IReadOnlyList<string>)
        [
            .. rules.Models.GetValueOrDefault(kind) ?? [],
            .. options.ExtraModels.Where(kv => KindOf(kv.Key) == kind)
                .SelectMany(kv => kv.Value ?? [])
                .Where(m => !string.IsNullOrWhiteSpace(m))
                .Select(m => m.Trim())
                .Where(m => !(rules.Models.GetValueOrDefault(kind)?.Contains(m) ?? false))
                .Distinct(),
        ]);

    private static GenerationKind? KindOf(string wireName) =>
        GenerationKinds.ByWireName.FirstOrDefault(kv => string.Equals(kv.Key, wireName, StringComparison.OrdinalIgnoreCase)) is { Key: not null } found
            ? found.Value
            : null;
}
