using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OneWordPerIdea : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            StoredEventNames.Rename(migrationBuilder);

            migrationBuilder.RenameColumn(
                name: "retry_attempts",
                table: "research_tasks",
                newName: "deferrals");

            migrationBuilder.RenameColumn(
                name: "retry_at",
                table: "research_tasks",
                newName: "deferred_until");

            migrationBuilder.RenameIndex(
                name: "ix_research_tasks_retry_at",
                table: "research_tasks",
                newName: "ix_research_tasks_deferred_until");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            StoredEventNames.Restore(migrationBuilder);

            migrationBuilder.RenameColumn(
                name: "deferred_until",
                table: "research_tasks",
                newName: "retry_at");

            migrationBuilder.RenameColumn(
                name: "deferrals",
                table: "research_tasks",
                newName: "retry_attempts");

            migrationBuilder.RenameIndex(
                name: "ix_research_tasks_deferred_until",
                table: "research_tasks",
                newName: "ix_research_tasks_retry_at");
        }
    }
}
