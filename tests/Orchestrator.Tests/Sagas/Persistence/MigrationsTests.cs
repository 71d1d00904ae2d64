using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Orchestrator.Tests.Sagas.Persistence;

public sealed class MigrationsTests
{
    public static TheoryData<string> Providers => ["Sqlite", "Postgres", "SqlServer"];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_provider_carries_migrations_that_match_its_model(string provider)
    {
        using var db = Create(provider);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"the {provider} model changed since its last migration");
    }

    [Fact]
    public void The_SqlServer_migrations_script_the_readable_schema_without_a_server()
    {
        using var db = Create("SqlServer");

        var script = db.GetService<IMigrator>().GenerateScript();

        Assert.Contains("CREATE TABLE [research_tasks]", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [research_task_purchases]", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [research_task_transitions]", script, StringComparison.Ordinal);
        foreach (var column in new[] { "task_id", "current_state", "theme", "budget", "spent", "created_at", "updated_at",
                     "completed_at", "error_type", "error_message", "report_markdown", "version", "idempotency_key", "paid_at",
                     "from_state", "to_state", "event", "at" })
            Assert.Contains($"[{column}]", script, StringComparison.Ordinal);
    }

    /// <summary>The events are named as their messages since OneWordPerIdea: the history stored before is renamed with them.</summary>
    [Fact]
    public async Task Transitions_stored_before_the_events_took_their_messages_names_are_renamed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"orchestrator-migrations-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = (SqliteOrchestratorDbContext)ProviderOptions.CreateContext(DatabaseProvider.Sqlite, $"Data Source={file}");
            var migrator = db.GetService<IMigrator>();
            var migrations = db.Database.GetMigrations().ToList();
            var renaming = migrations.FindIndex(m => m.EndsWith("_OneWordPerIdea", StringComparison.Ordinal));
            await migrator.MigrateAsync(migrations[renaming - 1]);
            // The history alone is what this is about: no task row under it.
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO research_task_transitions (task_id, from_state, to_state, event, at) VALUES ('00000000-0000-0000-0000-000000000001', 'Submitted', 'Discovering', 'Accepted', '2026-12-05 00:00:00'), ('00000000-0000-0000-0000-000000000001', 'Paying', 'Paying', 'RetryDue', '2026-12-05 00:00:01'), ('00000000-0000-0000-0000-000000000001', 'Discovering', 'AwaitingPayment', 'SourcesDiscovered', '2026-12-05 00:00:02')");

            await migrator.MigrateAsync();

            var events = await db.Database.SqlQueryRaw<string>("SELECT event AS Value FROM research_task_transitions ORDER BY at").ToListAsync();
            Assert.Equal(["TaskAccepted", "DeferredStepDue", "SourcesDiscovered"], events);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Fact]
    public void On_SqlServer_owner_ids_and_idempotency_keys_compare_byte_for_byte()
    {
        using var db = Create("SqlServer");

        var task = db.GetService<IDesignTimeModel>().Model.FindEntityType(typeof(ResearchTaskState))!;
        Assert.Equal(SqlServerOrchestratorDbContext.BinaryCollation, task.FindProperty(nameof(ResearchTaskState.OwnerId))!.GetCollation());
        Assert.Equal(SqlServerOrchestratorDbContext.BinaryCollation, task.FindProperty(nameof(ResearchTaskState.SubmissionKey))!.GetCollation());
        var script = db.GetService<IMigrator>().GenerateScript();
        Assert.Contains("ALTER TABLE [research_tasks] ALTER COLUMN [owner_id] nvarchar(256) COLLATE Latin1_General_100_BIN2 NOT NULL;", script, StringComparison.Ordinal);
        Assert.Contains("ALTER TABLE [research_tasks] ALTER COLUMN [submission_key] nvarchar(200) COLLATE Latin1_General_100_BIN2 NULL;", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public void The_other_providers_compare_owner_ids_byte_for_byte_without_a_collation(string provider)
    {
        using var db = Create(provider);

        var task = db.GetService<IDesignTimeModel>().Model.FindEntityType(typeof(ResearchTaskState))!;
        Assert.Null(task.FindProperty(nameof(ResearchTaskState.OwnerId))!.GetCollation());
        Assert.Null(task.FindProperty(nameof(ResearchTaskState.SubmissionKey))!.GetCollation());
    }

    [Fact]
    public async Task The_Sqlite_migrations_build_the_schema_that_plain_SQL_reads()
    {
        var file = Path.Combine(Path.GetTempPath(), $"orchestrator-migrations-{Guid.NewGuid():N}.db");
        try
        {
            await using (var db = Create("Sqlite", $"Data Source={file}"))
            {
                await DatabaseMigrator.MigrateAsync(db, CancellationToken.None);
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO research_tasks (task_id, current_state, version, theme, budget, spent, created_at, updated_at) " +
                    "VALUES ('5a1b0a3c-7c43-4a43-9a0c-3a1a0f6a0b11', 'Discovering', 1, 'Solar', 10, 0, '2026-01-01', '2026-01-01')");

                var states = await db.Database.SqlQueryRaw<string>("SELECT current_state AS \"Value\" FROM research_tasks").ToListAsync();
                Assert.Equal(["Discovering"], states);
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    /// <summary>A context for its model only, with a connection string of the provider's own form (never opened).</summary>
    static OrchestratorDbContext Create(string provider, string? connectionString = null) =>
        Enum.Parse<DatabaseProvider>(provider) switch
        {
            DatabaseProvider.Postgres => ProviderOptions.CreateContext(DatabaseProvider.Postgres, connectionString ?? "Host=localhost"),
            DatabaseProvider.SqlServer => ProviderOptions.CreateContext(DatabaseProvider.SqlServer, connectionString ?? "Server=localhost"),
            _ => ProviderOptions.CreateContext(DatabaseProvider.Sqlite, connectionString ?? "Data Source=:memory:"),
        };
}
