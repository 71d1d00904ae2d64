using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Orchestrator.Tests.Api;

/// <summary>
/// The Api in its embedded mode (in-memory bus, the workflow, simulators) on a throw-away SQLite file. Its tests share
/// one owner and buy the same items: reuse of earlier purchases is off, so that each task buys what it plans.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-api-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Orchestrator", $"Data Source={Path.Combine(_folder, "orchestrator.db")}");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Purchases:ReuseFor", "00:00:00");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
