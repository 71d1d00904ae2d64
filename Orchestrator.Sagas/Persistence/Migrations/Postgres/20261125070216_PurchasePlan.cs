using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PurchasePlan : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "score",
                table: "research_task_purchases",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "score",
                table: "research_task_purchases");
        }
    }
}
