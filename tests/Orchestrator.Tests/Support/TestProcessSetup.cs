using System.Runtime.CompilerServices;

namespace Orchestrator.Tests.Support;

/// <summary>Settings for the whole test process, applied before any test builds a host.</summary>
internal static class TestProcessSetup
{
    /// <summary>
    /// Every host a test builds would watch its configuration files for changes, and each watcher is an inotify instance:
    /// Linux allows a user 128 by default, and a few hundred tests that start servers (several at a time, beside other
    /// processes of the same user) ran out of them, failing every later test with "The configured user limit (128) on
    /// the number of inotify instances has been reached". No test changes a configuration file while it runs.
    /// </summary>
    [ModuleInitializer]
    internal static void Apply() => Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}
