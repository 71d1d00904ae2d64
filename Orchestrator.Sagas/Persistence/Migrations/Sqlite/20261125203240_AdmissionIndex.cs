using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AdmissionIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_research_tasks_current_state",
                table: "research_tasks");

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_current_state_created_at_task_id",
                table: "research_tasks",
                columns: new[] { "current_state", "created_at", "task_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_research_tasks_current_state_created_at_task_id",
                table: "research_tasks");

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_current_state",
                table: "research_tasks",
                column: "current_state");
        }
    }
}
