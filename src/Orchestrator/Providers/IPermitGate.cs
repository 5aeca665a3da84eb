using Orchestrator.Throttling;

namespace Orchestrator.Providers;

/// <summary>
/// Lets a provider client take a throttle permit for a call it makes on its own (a token refresh, the retry after
/// one), so every call to a provider is counted, not only those a task actor makes.
/// </summary>
internal interface IPermitGate
{
    /// <summary>Takes a permit, makes <paramref name="call"/> under it (sent only while the permit is usable: <see cref="PermitUseBy"/>), and gives it back.</summary>
    Task<T> UnderPermitAsync<T>(string account, CallKind kind, Func<Task<T>> call, CancellationToken ct);
}

/// <summary>A gate that grants at once: for clients used outside the actor system (tests of wire formats).</summary>
internal sealed class OpenGate : IPermitGate
{
    public static readonly OpenGate Instance = new();
    public Task<T> UnderPermitAsync<T>(string account, CallKind kind, Func<Task<T>> call, CancellationToken ct) => call();
}

/// <summary>Extra capabilities some providers have.</summary>
internal interface IBatchQueryClient
{
    /// <summary>Most provider task ids one query may carry (Chanjing: 50).</summary>
    int MaxBatch { get; }

    /// <summary>Queries several tasks in one call; every id asked for gets an outcome.</summary>
    Task<IReadOnlyDictionary<string, QueryOutcome>> QueryManyAsync(IReadOnlyList<string> providerTaskIds, CancellationToken ct);
}
