using Xunit.Abstractions;
using Xunit.Sdk;

namespace Orchestrator.Tests.Support;

/// <summary>A test that needs PostgreSQL: reported as skipped, saying how to enable it, when no server is configured.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = TestStores.PostgresSkipReason!;
}

/// <summary>A theory that needs PostgreSQL: reported as skipped, saying how to enable it, when no server is configured.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute() => Skip = TestStores.PostgresSkipReason!;
}

/// <summary>
/// Runs a test class's <see cref="StoreFactAttribute"/> and <see cref="StoreTheoryAttribute"/> tests on PostgreSQL
/// (<see cref="TestStores.For"/>): an empty subclass of a test class, marked with it, repeats every such test of the
/// class on PostgreSQL, and is skipped when no server is configured.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OnPostgresAttribute : Attribute
{
    public static bool IsOn(Type testClass) => testClass.IsDefined(typeof(OnPostgresAttribute), inherit: false);

    /// <summary>Why a test of this class cannot run here, or null.</summary>
    internal static string? SkipReason(ITestMethod method) =>
        method.TestClass.Class is IReflectionTypeInfo type && IsOn(type.Type) ? TestStores.PostgresSkipReason : null;
}

/// <summary>A fact that runs on its test class's store (<see cref="OnPostgresAttribute"/>): skipped there when PostgreSQL is not configured.</summary>
[XunitTestCaseDiscoverer("Orchestrator.Tests.Support.StoreFactDiscoverer", "Orchestrator.Tests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>A theory that runs on its test class's store (<see cref="OnPostgresAttribute"/>): skipped there when PostgreSQL is not configured.</summary>
[XunitTestCaseDiscoverer("Orchestrator.Tests.Support.StoreTheoryDiscoverer", "Orchestrator.Tests")]
public sealed class StoreTheoryAttribute : TheoryAttribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _fact = new(diagnostics);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo attribute) =>
        OnPostgresAttribute.SkipReason(method) is { } reason ? [Skipped(diagnostics, options, method, reason)] : _fact.Discover(options, method, attribute);

    internal static IXunitTestCase Skipped(IMessageSink diagnostics, ITestFrameworkDiscoveryOptions options, ITestMethod method, string reason) =>
        new XunitSkippedDataRowTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method, reason);
}

public sealed class StoreTheoryDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    private readonly TheoryDiscoverer _theory = new(diagnostics);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo attribute) =>
        OnPostgresAttribute.SkipReason(method) is { } reason
            ? [StoreFactDiscoverer.Skipped(diagnostics, options, method, reason)]
            : _theory.Discover(options, method, attribute);
}
